import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { deriveS, kidOf } from '../../../src/domain/index.js';
import { tempDir, testIo, writeConfig } from './support.js';

describe('keygen and identity', () => {
  it('round trip: keygen makes keys, identity prints the same public identity', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { kioskId: 'kiosk-7' });
    const gen = testIo();
    expect(await main(['keygen', '--config', config], gen.io)).toBe(0);
    const made = JSON.parse(gen.stdout()) as Record<string, string>;
    expect(gen.stderr()).toContain(`kiosk keys written to ${path.join(dir, 'data', 'keys')}`);
    expect(statSync(path.join(dir, 'data', 'keys', 'ed25519.key')).mode & 0o777).toBe(0o600);

    const show = testIo();
    expect(await main(['identity', '--config', config], show.io)).toBe(0);
    const id = JSON.parse(show.stdout()) as Record<string, string>;
    expect(id).toEqual(made);
    expect(Object.keys(id)).toEqual(['kioskId', 'ed25519Public', 'x25519Public', 'kid']);
    expect(id.kioskId).toBe('kiosk-7');
    expect(id.ed25519Public).toMatch(/^[0-9a-f]{64}$/);
    expect(id.x25519Public).toMatch(/^[0-9a-f]{64}$/);
    expect(id.kid).toBe(kidOf(Buffer.from(id.ed25519Public, 'hex')));
    // The private seeds are in the files and nowhere in the output.
    const seed = readFileSync(path.join(dir, 'data', 'keys', 'ed25519.key'), 'latin1').trim();
    expect(gen.stdout() + gen.stderr() + show.stdout()).not.toContain(seed);
  });

  it('keygen refuses to overwrite (exit 1) and leaves the keys as they were', async () => {
    const dir = tempDir();
    const config = writeConfig(dir);
    expect(await main(['keygen', '--config', config], testIo().io)).toBe(0);
    const before = readFileSync(path.join(dir, 'data', 'keys', 'x25519.key'), 'latin1');
    const again = testIo();
    expect(await main(['keygen', '--config', config], again.io)).toBe(1);
    expect(again.stderr()).toContain('refusing to overwrite');
    expect(again.stdout()).toBe('');
    expect(readFileSync(path.join(dir, 'data', 'keys', 'x25519.key'), 'latin1')).toBe(before);
  });

  it('--data-dir wins over the config, relative to the current directory', async () => {
    const dir = tempDir();
    const config = writeConfig(dir);
    const other = path.relative(process.cwd(), path.join(dir, 'elsewhere'));
    expect(await main(['keygen', '--config', config, '--data-dir', other], testIo().io)).toBe(0);
    expect(statSync(path.join(dir, 'elsewhere', 'keys', 'x25519.key')).isFile()).toBe(true);
    const t = testIo();
    expect(await main(['identity', '--config', config], t.io)).toBe(1);
    expect(t.stderr()).toBe(
      `no kiosk keys in ${path.join(dir, 'data')}: run \`pickup-kiosk keygen --data-dir ${path.join(dir, 'data')}\`\n`,
    );
  });

  it('an invalid config stops the command with exit 2 and every problem', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { kioskId: 'no spaces', http: { port: -1 } });
    const t = testIo();
    expect(await main(['keygen', '--config', config], t.io)).toBe(2);
    expect(t.stderr()).toContain(`${config}: 2 problems`);
    expect(t.stderr()).toContain('  - kioskId: "no spaces" must be 1 to 64 of A-Z a-z 0-9 . _ -');
    expect(t.stderr()).toContain('  - http.port: must be a whole number from 0 to 65535, not -1');
  });
});

describe('config check', () => {
  it('prints ok for a valid file and the shipped default', async () => {
    const t = testIo();
    expect(await main(['config', 'check', '--config', writeConfig(tempDir())], t.io)).toBe(0);
    expect(t.stdout()).toBe('ok\n');
    const d = testIo();
    expect(await main(['config', 'check'], d.io)).toBe(0);
    expect(d.stdout()).toBe('ok\n');
  });

  it('prints every problem and exits 2', async () => {
    const config = writeConfig(tempDir(), { compartments: [{ id: 'A1', size: 'XL', channel: 0 }] });
    const t = testIo();
    expect(await main(['config', 'check', '--config', config], t.io)).toBe(2);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toBe(
      `${config}: 3 problems\n` +
        '  - compartments[0].id: "A1" must be a letter and two digits, like A03\n' +
        '  - compartments[0].size: "XL" is not one of S, M, L\n' +
        '  - compartments[0].channel: must be a whole number from 1 to 4096, not 0\n',
    );
  });

  it('refuses /sim on a host that is not loopback, and allows it on loopback', async () => {
    const open = testIo();
    expect(await main(['config', 'check', '--config', writeConfig(tempDir(), { http: { host: '0.0.0.0' } })], open.io)).toBe(2);
    expect(open.stderr()).toContain('http.host: "0.0.0.0" is not a loopback address');
    const lan = testIo();
    expect(await main(['config', 'check', '--config', writeConfig(tempDir(), { http: { host: '192.168.1.20' } })], lan.io)).toBe(2);
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      const t = testIo();
      expect(await main(['config', 'check', '--config', writeConfig(tempDir(), { http: { host } })], t.io), host).toBe(0);
    }
  });

  it('rejects arguments it does not take', async () => {
    const t = testIo();
    expect(await main(['config', 'check', 'extra'], t.io)).toBe(2);
    expect(t.stderr()).toContain('unexpected argument "extra"');
  });
});

describe('courier-pin', () => {
  it('hashes a PIN from stdin into a couriers[] entry the config accepts', async () => {
    const t = testIo({ stdin: '73914682\n' });
    expect(await main(['courier-pin', '--id', 'courier-1'], t.io)).toBe(0);
    const entry = JSON.parse(t.stdout()) as { id: string; pin: { salt: string; logN: number; r: number; p: number; hash: string } };
    expect(entry.id).toBe('courier-1');
    expect(entry.pin).toMatchObject({ logN: 15, r: 8, p: 1 });
    expect(t.stdout()).not.toContain('73914682');
    const S = await deriveS('73914682', Buffer.from(entry.pin.salt, 'base64url'), entry.pin);
    expect(S.toString('base64url')).toBe(entry.pin.hash);
    const check = testIo();
    expect(await main(['config', 'check', '--config', writeConfig(tempDir(), { couriers: [entry] })], check.io)).toBe(0);
  });

  it('refuses a PIN that is not 6-16 digits (exit 1) and a missing or bad --id (exit 2)', async () => {
    for (const pin of ['12345', '1234567890123456789', '12 3456', 'abcdef', '']) {
      const t = testIo({ stdin: `${pin}\n` });
      expect(await main(['courier-pin', '--id', 'c1'], t.io), pin).toBe(1);
      expect(t.stderr()).toContain('6 to 16 digits');
      expect(t.stdout()).toBe('');
    }
    let t = testIo({ stdin: '123456\n' });
    expect(await main(['courier-pin'], t.io)).toBe(2);
    expect(t.stderr()).toContain('--id is required');
    t = testIo({ stdin: '123456\n' });
    expect(await main(['courier-pin', '--id', 'a b'], t.io)).toBe(2);
  });

  it('at a terminal asks twice and refuses two different PINs', async () => {
    const t = testIo({ tty: true, secrets: ['123456', '123465'] });
    expect(await main(['courier-pin', '--id', 'c1'], t.io)).toBe(1);
    expect(t.stderr()).toContain('the two PINs differ');
    expect(t.stdout()).toBe('');
  });
});

describe('main', () => {
  it('prints the command list for --help (exit 0) and for nothing (exit 2, on stderr)', async () => {
    const h = testIo();
    expect(await main(['--help'], h.io)).toBe(0);
    for (const c of ['start', 'keygen', 'identity', 'slip check', 'courier-pin', 'config check', 'seller', 'doctor']) {
      expect(h.stdout()).toContain(`  ${c}`);
    }
    const none = testIo();
    expect(await main([], none.io)).toBe(2);
    expect(none.stderr()).toBe(h.stdout());
  });

  it('every command has --help', async () => {
    for (const argv of [['start'], ['keygen'], ['identity'], ['slip', 'check'], ['courier-pin'], ['config', 'check'], ['doctor']]) {
      const t = testIo();
      expect(await main([...argv, '--help'], t.io), argv.join(' ')).toBe(0);
      expect(t.stdout()).toContain(`usage: pickup-kiosk ${argv.join(' ')}`);
      expect(t.stdout()).toContain('--config FILE');
      expect(t.stdout()).toContain('--data-dir DIR');
    }
  });

  it('says an unknown command is unknown (exit 2)', async () => {
    const t = testIo();
    expect(await main(['strat'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/^pickup-kiosk: unknown command "strat"/);
  });

  it('prints the package version', async () => {
    const t = testIo();
    expect(await main(['--version'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('start: bad flags are usage errors before anything runs', async () => {
    const config = writeConfig(tempDir());
    const cases: Array<[string[], string]> = [
      [['--http-port', '70000'], 'give a port from 0 to 65535'],
      [['--http-port', '80a'], 'give a port from 0 to 65535'],
      [['--broker', 'http://x'], 'give "embedded" or an mqtt:// or mqtts:// URL'],
      [['--kiosk-id', 'a/b'], 'an id is 1 to 64'],
      [['--trust', 'shop-a=abc'], 'SELLER_ID=PUBLIC_KEY'],
      [['now'], 'unexpected argument "now"'],
      [['-p', '80'], 'unknown option -p'],
      [['--http-port=1', '--help=yes'], '--help takes no value'],
    ];
    for (const [argv, words] of cases) {
      const t = testIo();
      expect(await main(['start', '--config', config, ...argv], t.io), argv.join(' ')).toBe(2);
      expect(t.stderr()).toContain(words);
    }
  });
});
