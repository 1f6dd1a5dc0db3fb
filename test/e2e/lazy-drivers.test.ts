/**
 * A simulated kiosk never loads real-driver code: the built binary runs with a
 * module-load hook recording every module it loads. With every device
 * simulated, no serial, GPIO, HID or PC/SC driver (nor serialport, onoff,
 * node-hid, pcsclite) is among them; with a CU16 lock bank configured, its
 * driver and serialport are (the hook sees what it should).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { assertBuilt } from '../support/built.js';
import { tempDir } from '../support/tmp.js';

const root = packageRoot();
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const HOOKS = `
import { appendFileSync } from 'node:fs';
let file;
export async function initialize(data) { file = data.file; }
export async function load(url, context, next) { appendFileSync(file, url + '\\n'); return next(url, context); }
`;
const REGISTER = (file: string): string =>
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)}, { data: { file: ${JSON.stringify(file)} } });`;

const REAL_DRIVER_CODE =
  /\/drivers\/(serial\/serialport-transport|gpio\/onoff-port|keypad\/(serial|matrix)|scanner\/(serial|hid|hid-node)|locks\/(cu16|gpio)|fingerprint\/r30x|card\/(pcsc|pcsclite))\.(js|ts)$|\/node_modules\/(serialport|@serialport|onoff|node-hid|pcsclite)\//;

/**
 * The binary runs the esbuild bundle (dist/kiosk/cli.cjs, one file). esbuild wraps
 * each module that is loaded on demand in a function kept under the module's
 * source path, and looks that one key up with Object.getOwnPropertyNames when
 * the module first runs; this preload records those keys.
 */
const BUNDLE_HOOK = (file: string): string => `
const { appendFileSync } = require('node:fs');
const names = Object.getOwnPropertyNames;
Object.getOwnPropertyNames = function (o) {
  const keys = names(o);
  if (keys.length === 1 && typeof o[keys[0]] === 'function' && /^[\\w@.-]+\\/[^\\s]+\\.(ts|js|cjs|mjs)$/.test(keys[0])) appendFileSync(${JSON.stringify(file)}, 'bundle:' + keys[0] + '\\n');
  return keys;
};
`;

/** A module URL the ESM hook saw, or a source path the bundle ran, as a file URL. */
function sourcesOf(lines: string[]): string[] {
  return lines.map((l) => (l.startsWith('bundle:') ? `file://${join(root, l.slice('bundle:'.length))}` : l));
}

/** Runs `start` until it prints it is running and connected to its broker (or exits) and returns every module URL it loaded. */
async function loadedBy(config: object): Promise<{ urls: string[]; out: string }> {
  const t = tempDir('pk-lazy-');
  cleanups.push(t.cleanup);
  const configPath = join(t.dir, 'kiosk.json');
  writeFileSync(configPath, JSON.stringify({ kioskId: 'lazy', demo: { parcels: 0 }, ...config }));
  const record = join(t.dir, 'loaded.txt');
  writeFileSync(record, '');
  const hook = join(t.dir, 'bundle-hook.cjs');
  writeFileSync(hook, BUNDLE_HOOK(record));
  const child = spawn(
    process.execPath,
    ['--require', hook, '--import', `data:text/javascript,${encodeURIComponent(REGISTER(record))}`, join(root, 'bin/pickup-kiosk.js'), 'start', '--config', configPath, '--data-dir', join(t.dir, 'data'), '--http-port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const end = Date.now() + 30_000;
  while (!(out.includes(' running — ') && out.includes(' connected to the broker ')) && child.exitCode === null) {
    if (Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  await exited;
  return { urls: sourcesOf(readFileSync(record, 'utf8').split('\n').filter(Boolean)), out };
}

describe('real drivers load only when configured', () => {
  it('a simulated kiosk loads no serial, GPIO, HID or PC/SC code; a CU16 kiosk loads its driver and serialport', async () => {
    assertBuilt(root);
    const sim = await loadedBy({ devices: { fingerprint: { driver: 'sim' }, card: { driver: 'sim' } } });
    expect(sim.out).toContain(' running — ');
    // Ready as bench/start.ts counts it: the page served, then the link connected to the (embedded) broker.
    expect(sim.out).toMatch(/ running — [^\n]*\n[^]*pickup-kiosk lazy connected to the broker mqtt:\/\/127\.0\.0\.1:\d+\n/);
    expect(sim.urls.some((u) => u.endsWith('/src/app/devices.ts'))).toBe(true);
    expect(sim.urls.filter((u) => REAL_DRIVER_CODE.test(u))).toEqual([]);

    // No such port: start fails opening it, but only after loading the driver it was told to use.
    const cu16 = await loadedBy({
      compartments: [{ id: 'A01', size: 'S', channel: 1 }],
      devices: { locks: { driver: 'cu16', path: '/dev/pk-no-such-port', boards: [0] } },
    });
    const real = cu16.urls.filter((u) => REAL_DRIVER_CODE.test(u));
    expect(real.some((u) => u.endsWith('/drivers/locks/cu16.ts'))).toBe(true);
    expect(real.some((u) => /\/node_modules\/(@serialport|serialport)\//.test(u))).toBe(true);
    expect(real.some((u) => /onoff|node-hid|pcsc/.test(u))).toBe(false);
  }, 90_000);
});
