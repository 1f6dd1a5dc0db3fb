import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../../src/config/index.js';
import { tempDir, testIo, writeConfig } from './support.js';

// The commands other modules implement are replaced by recorders: these tests
// are about what the command line hands them, not what they do.
const calls = vi.hoisted(() => ({
  start: [] as Config[],
  doctor: [] as Config[],
  seller: [] as Array<{ argv: string[]; ctx: { configPath?: string } }>,
}));
vi.mock('../../../src/cli/start.js', () => ({
  startCommand: async (c: Config) => (calls.start.push(c), 0),
}));
vi.mock('../../../src/cli/doctor.js', () => ({
  doctorCommand: async (c: Config) => (calls.doctor.push(c), 1),
}));
vi.mock('../../../src/cli/seller.js', () => ({
  sellerCommand: async (argv: string[], ctx: { configPath?: string }) => (calls.seller.push({ argv, ctx }), 0),
}));

const { main } = await import('../../../src/cli.js');

beforeEach(() => {
  calls.start.length = 0;
  calls.doctor.length = 0;
  calls.seller.length = 0;
});

describe('dispatch', () => {
  it('start hands over the config with the command-line overrides applied', async () => {
    const dir = tempDir();
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    const config = writeConfig(dir, { trust: { sellers: { 'shop-a': [a] } } });
    const argv = ['start', '--config', config, '--trust', `shop-a=${b.toUpperCase()}`, '--trust', `shop-b=${a}`];
    argv.push('--http-port', '0', '--broker', 'mqtt://127.0.0.1:1884', '--kiosk-id', 'k-9', '--data-dir', path.join(dir, 'd2'));
    expect(await main(argv, testIo().io)).toBe(0);
    expect(calls.start).toHaveLength(1);
    const c = calls.start[0];
    expect(c.kioskId).toBe('k-9');
    expect(c.http.port).toBe(0);
    expect(c.broker.url).toBe('mqtt://127.0.0.1:1884');
    expect(c.dataDir).toBe(path.join(dir, 'd2'));
    expect(c.trust.sellers).toEqual({ 'shop-a': [a, b], 'shop-b': [a] });
  });

  it('start returns what the kiosk returns; a bad config never reaches it', async () => {
    const t = testIo();
    expect(await main(['start', '--config', writeConfig(tempDir(), { kioskId: '' })], t.io)).toBe(2);
    expect(calls.start).toHaveLength(0);
    expect(t.stderr()).toContain('kioskId: "" must be');
  });

  it('doctor gets the loaded config and its exit code is passed on', async () => {
    const dir = tempDir();
    expect(await main(['doctor', '--config', writeConfig(dir, { kioskId: 'kd' })], testIo().io)).toBe(1);
    expect(calls.doctor.map((c) => c.kioskId)).toEqual(['kd']);
  });

  it('seller gets its own arguments, with --config taken out into the context', async () => {
    expect(await main(['seller', 'issue', '--config', 'x.json', '--txn', 'T-1', '--', '--config'], testIo().io)).toBe(0);
    expect(await main(['seller', '--config=y.json', 'keygen'], testIo().io)).toBe(0);
    expect(await main(['seller', '--help'], testIo().io)).toBe(0);
    expect(calls.seller).toEqual([
      { argv: ['issue', '--txn', 'T-1', '--', '--config'], ctx: { configPath: 'x.json' } },
      { argv: ['keygen'], ctx: { configPath: 'y.json' } },
      { argv: ['--help'], ctx: {} },
    ]);
  });

  it('a command that throws becomes exit 1 with its reason, never an exception', async () => {
    calls.start.push = () => {
      throw new Error('serial port busy');
    };
    const t = testIo();
    expect(await main(['start', '--config', writeConfig(tempDir())], t.io)).toBe(1);
    expect(t.stderr()).toBe('pickup-kiosk start: failed: serial port busy\n');
  });
});
