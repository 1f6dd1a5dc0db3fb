import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kidOf } from '../../../src/domain/index.js';
import { tempDir, writeConfig, writeKeys } from './support.js';
import { assertBuilt } from '../../support/built.js';
import keys from '../../fixtures/keys.json' with { type: 'json' };
import slips from '../../fixtures/slips.json' with { type: 'json' };

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TRUST = keys.sellers.flatMap((s) => ['--trust', `${s.id}=${s.publicKey}`]);

function run(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/pickup-kiosk.js', ...args], {
    cwd: ROOT,
    input: input ?? '',
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  assertBuilt(ROOT);
});

describe('the built binary', () => {
  it('prints the command list with --help (0) and usage with nothing (2)', () => {
    const h = run(['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('slip check');
    const none = run([]);
    expect(none.status).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('usage: pickup-kiosk <command>');
  });

  it('validates the shipped config files', () => {
    expect(run(['config', 'check'])).toMatchObject({ status: 0, stdout: 'ok\n' });
    expect(run(['config', 'check', '--config', 'config/hardware.example.json'])).toMatchObject({ status: 0, stdout: 'ok\n' });
  });

  it('keygen then identity round trip in a temp data dir', () => {
    const dir = tempDir('pk-bin-');
    const config = writeConfig(dir, { kioskId: 'kiosk-bin' });
    const gen = run(['keygen', '--config', config]);
    expect(gen.status).toBe(0);
    const id = run(['identity', '--config', config]);
    expect(id.status).toBe(0);
    const j = JSON.parse(id.stdout) as { kioskId: string; ed25519Public: string; kid: string };
    expect(JSON.parse(gen.stdout)).toEqual(j);
    expect(j.kioskId).toBe('kiosk-bin');
    expect(j.kid).toBe(kidOf(Buffer.from(j.ed25519Public, 'hex')));
    const again = run(['keygen', '--config', config]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('refusing to overwrite');
  });

  it('checks slips read from stdin, and codes read from stdin', () => {
    const dir = tempDir('pk-bin-');
    const config = writeConfig(dir);
    writeKeys(path.join(dir, 'data'), { ed25519: keys.kiosk.ed25519Seed, x25519: keys.kiosk.x25519Seed });
    const mode1 = slips.find((v) => v.name === 'mode1-ok')!;
    const ok = run(['slip', 'check', '--config', config, ...TRUST, '--code', '24681357', '-'], `${mode1.slip}\n`);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, txn: 'T-2026-11-2', sellerId: 'shop-a', mode: 1 });

    const viaStdin = run(['slip', 'check', '--config', config, ...TRUST, '--code-stdin', mode1.slip], '11111111\n');
    expect(viaStdin.status).toBe(1);
    expect(JSON.parse(viaStdin.stdout)).toEqual({ ok: false, reason: 'wrong-code', sellerId: 'shop-a', mode: 1 });
    expect(viaStdin.stdout + viaStdin.stderr).not.toContain('11111111');
  });

  it('hashes a piped courier PIN', () => {
    const r = run(['courier-pin', '--id', 'c-1'], '90817263\n');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'c-1', pin: { logN: 15, r: 8, p: 1 } });
  });

  it('usage errors exit 2 with words on stderr', () => {
    const r = run(['slip', 'check', '--frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown option --frobnicate');
  });

  it('doctor finds the manifest worker beside the bundled code, and it opens a signed manifest', () => {
    expect(existsSync(path.join(ROOT, 'dist/kiosk/manifest-worker.js'))).toBe(true);
    const dir = tempDir('pk-bin-');
    const sellers = Object.fromEntries(keys.sellers.map((s) => [s.id, [s.publicKey]]));
    const r = run(['doctor', '--config', writeConfig(dir, { trust: { sellers } })]);
    expect(r.stdout).toMatch(/^ok {4}manifest worker {2}opens a signed test manifest in a worker thread \(\d+ ms\)$/m);
    expect(r.status).toBe(0);
  });
});
