/**
 * The kiosk's V8 flags (PICKUP_KIOSK_V8_FLAGS, set by the systemd unit) are applied by the launcher after it
 * has loaded node's own modules from their code cache (bin/v8-flags.js). Two things keep that true:
 * - no built-in module is loaded between the flags and the moment the kiosk is ready (one loaded then
 *   would be compiled from source under the changed flag hash: the launcher's list must name it);
 * - the bundle's own code cache, made under the flags, is accepted by the next start under the same flags.
 * And only the flags V8 reads as the kiosk runs are taken: any other is refused by name.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unitEnvironment } from '../../bench/unit-file.js';
import { packageRoot } from '../../src/config/index.js';
import { assertBuilt } from '../support/built.js';
import { startThenStop } from '../support/start-stop.js';
import { tempDir } from '../support/tmp.js';

const root = packageRoot();
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/**
 * A preload that notes how many modules node had loaded when the launcher set the flags, and writes the
 * built-in modules loaded after that when the "running" line is printed.
 */
const RECORD = (file: string): string => `
const { writeFileSync } = require('node:fs');
const v8 = require('node:v8');
let atFlags = null;
const set = v8.setFlagsFromString;
v8.setFlagsFromString = function (flags) {
  atFlags = process.moduleLoadList.length;
  return set.call(this, flags);
};
const write = process.stdout.write;
process.stdout.write = function (chunk, ...rest) {
  if (String(chunk).includes(' running — ')) {
    const after = atFlags === null ? null : process.moduleLoadList.slice(atFlags).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    writeFileSync(${JSON.stringify(file)}, JSON.stringify(after));
  }
  return write.call(this, chunk, ...rest);
};
`;

function startAndStop(dir: string, env: NodeJS.ProcessEnv): Promise<{ out: string; code: number | null }> {
  const configPath = join(dir, 'kiosk.json');
  writeFileSync(configPath, JSON.stringify({ kioskId: 'flags', demo: { parcels: 0 } }));
  return startThenStop(['--config', configPath, '--data-dir', join(dir, 'data'), '--http-port', '0'], { CACHE_DIRECTORY: join(dir, 'cache'), ...env });
}

describe('V8 flags applied by the launcher', () => {
  const flags = unitEnvironment().PICKUP_KIOSK_V8_FLAGS;

  it('are set by the unit', () => {
    expect(flags).toMatch(/--max-opt=1/);
  });

  it('come after every built-in module a kiosk loads by the time it is ready, and leave its code cache good', async () => {
    assertBuilt(root);
    const t = tempDir('pk-flags-');
    cleanups.push(t.cleanup);
    const preload = join(t.dir, 'record.cjs');
    const loadedFile = join(t.dir, 'loaded.json');
    writeFileSync(preload, RECORD(loadedFile));
    const env = { PICKUP_KIOSK_V8_FLAGS: flags, NODE_OPTIONS: `--require ${preload}` };

    const first = await startAndStop(t.dir, env);
    expect(first.out).toContain('pickup-kiosk flags connected to the broker');
    expect(first.code).toBe(0);
    // The flags were set, and no built-in module was compiled after that.
    expect(JSON.parse(readFileSync(loadedFile, 'utf8'))).toEqual([]);

    // The cache the first start made under the flags is accepted by the second: not written again.
    const cacheDir = join(t.dir, 'cache');
    const [made] = readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache'));
    const mtime = statSync(join(cacheDir, made)).mtimeMs;
    const second = await startAndStop(t.dir, env);
    expect(second.out).toContain('pickup-kiosk flags connected to the broker');
    expect(statSync(join(cacheDir, made)).mtimeMs).toBe(mtime);
  }, 120_000);

  it('refuses a flag the launcher does not apply, by name', async () => {
    assertBuilt(root);
    const t = tempDir('pk-flags-');
    cleanups.push(t.cleanup);
    const { out, code } = await startAndStop(t.dir, { PICKUP_KIOSK_V8_FLAGS: '--max-opt=1 --no-such-flag' });
    expect(code).not.toBe(0);
    expect(out).toContain('--no-such-flag is not a flag the launcher applies');
  }, 60_000);
});
