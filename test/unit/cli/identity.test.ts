import { chmodSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kidOf } from '../../../src/domain/index.js';
import {
  generateIdentity,
  identityJson,
  IdentityError,
  identityPaths,
  loadIdentity,
} from '../../../src/identity.js';
import { tempDir, writeKeys } from './support.js';
import keys from '../../fixtures/keys.json' with { type: 'json' };

function thrown(fn: () => unknown): IdentityError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IdentityError);
    return e as IdentityError;
  }
  throw new Error('expected an IdentityError');
}

describe('kiosk identity', () => {
  it('generates keys as 64 hex + newline, files 0600 in a 0700 folder, and loads them back', () => {
    const dataDir = path.join(tempDir(), 'data');
    const made = generateIdentity(dataDir);
    const p = identityPaths(dataDir);
    expect(statSync(p.dir).mode & 0o777).toBe(0o700);
    for (const [file, seed] of [
      [p.ed25519, made.ed25519.seed],
      [p.x25519, made.x25519.seed],
    ] as const) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'latin1')).toBe(`${seed.toString('hex')}\n`);
    }
    const warnings: string[] = [];
    const loaded = loadIdentity(dataDir, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(loaded.ed25519.publicKey.equals(made.ed25519.publicKey)).toBe(true);
    expect(loaded.x25519.publicKey.equals(made.x25519.publicKey)).toBe(true);
    expect(made.ed25519.seed.equals(made.x25519.seed)).toBe(false);
  });

  it('refuses to overwrite either key file', () => {
    const dataDir = tempDir();
    const first = generateIdentity(dataDir);
    const e = thrown(() => generateIdentity(dataDir));
    expect(e.problem).toBe('exists');
    expect(e.message).toMatch(/already exist .*refusing to overwrite/);
    expect(loadIdentity(dataDir).ed25519.publicKey.equals(first.ed25519.publicKey)).toBe(true);

    const other = tempDir();
    generateIdentity(other);
    const p = identityPaths(other);
    writeFileSync(p.ed25519, 'x'); // Only one present is enough to refuse.
    chmodSync(p.ed25519, 0o600);
    const x = readFileSync(p.x25519, 'latin1');
    expect(thrown(() => generateIdentity(other)).problem).toBe('exists');
    expect(readFileSync(p.x25519, 'latin1')).toBe(x);
  });

  it('says how to make keys when there are none', () => {
    const dataDir = tempDir();
    const e = thrown(() => loadIdentity(dataDir));
    expect(e.problem).toBe('missing');
    expect(e.message).toBe(`no kiosk keys in ${dataDir}: run \`pickup-kiosk keygen --data-dir ${dataDir}\``);
  });

  it('says which key is missing when only one is there', () => {
    const dataDir = tempDir();
    writeKeys(dataDir, { ed25519: keys.kiosk.ed25519Seed, x25519: keys.kiosk.x25519Seed });
    const p = identityPaths(dataDir);
    unlinkSync(p.x25519);
    const e = thrown(() => loadIdentity(dataDir));
    expect(e.problem).toBe('incomplete');
    expect(e.message).toMatch(new RegExp(`^kiosk key ${p.x25519} is missing but ${p.ed25519} is there: restore it`));
    writeFileSync(p.x25519, ''); // Present but empty: a bad key, not a missing one.
    expect(thrown(() => loadIdentity(dataDir)).message).toBe(
      `${p.x25519} is not a kiosk key: it must hold 64 hex digits and a newline, and holds 0`,
    );
  });

  it('refuses bad key files without echoing their content', () => {
    const dataDir = tempDir();
    writeKeys(dataDir, { ed25519: keys.kiosk.ed25519Seed, x25519: `${keys.kiosk.x25519Seed}00` });
    const p = identityPaths(dataDir);
    const e = thrown(() => loadIdentity(dataDir));
    expect(e.problem).toBe('bad-key');
    expect(e.message).toBe(`${p.x25519} is not a kiosk key: it must hold 64 hex digits and a newline, and holds 66`);
    writeFileSync(p.x25519, `${keys.kiosk.x25519Seed.slice(0, 63)}g\n`);
    const e2 = thrown(() => loadIdentity(dataDir));
    expect(e2.message).toMatch(/holds other characters$/);
    expect(e2.message).not.toContain(keys.kiosk.x25519Seed.slice(0, 20));
  });

  it('warns about a key file others can read, and still loads it', () => {
    const dataDir = tempDir();
    writeKeys(dataDir, { ed25519: keys.kiosk.ed25519Seed, x25519: keys.kiosk.x25519Seed });
    const p = identityPaths(dataDir);
    chmodSync(p.ed25519, 0o644);
    const warnings: string[] = [];
    const id = loadIdentity(dataDir, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([`${p.ed25519} can be read by other users (mode 0644): run \`chmod 600 ${p.ed25519}\``]);
    expect(id.ed25519.publicKey.toString('hex')).toBe(keys.kiosk.ed25519Public);
  });

  it('exports the public identity, matching the fixture keys', () => {
    const dataDir = tempDir();
    writeKeys(dataDir, { ed25519: keys.kiosk.ed25519Seed, x25519: keys.kiosk.x25519Seed });
    const j = identityJson('kiosk-1', loadIdentity(dataDir));
    expect(j).toEqual({
      kioskId: 'kiosk-1',
      ed25519Public: keys.kiosk.ed25519Public,
      x25519Public: keys.kiosk.x25519Public,
      kid: keys.kiosk.kid,
    });
    expect(j.kid).toBe(kidOf(Buffer.from(j.ed25519Public, 'hex')));
  });
});
