/**
 * The binary keeps V8's code cache of its bundle in the cache directory
 * (CACHE_DIRECTORY, as the systemd unit sets it): the first `start` makes it
 * on a clean stop, the next one uses it as it is, a cache V8 refuses (here:
 * garbage) is replaced by a good one, and a command other than `start` never
 * writes one. The kiosk works the same with or without it: it serves its page
 * and connects to its broker every time.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { assertBuilt } from '../support/built.js';
import { startThenStop } from '../support/start-stop.js';
import { tempDir } from '../support/tmp.js';

const root = packageRoot();
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function startAndStop(configPath: string, dataDir: string, cacheDir: string): Promise<{ out: string; code: number | null }> {
  return startThenStop(['--config', configPath, '--data-dir', dataDir, '--http-port', '0'], { CACHE_DIRECTORY: cacheDir });
}

function caches(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.v8cache'));
  } catch {
    return [];
  }
}

describe('code cache of the bundle', () => {
  it('is made by the first start, used by the next, replaced when V8 refuses it, and never made by other commands', async () => {
    assertBuilt(root);
    const t = tempDir('pk-cache-');
    cleanups.push(t.cleanup);
    const configPath = join(t.dir, 'kiosk.json');
    writeFileSync(configPath, JSON.stringify({ kioskId: 'cached', demo: { parcels: 0 } }));
    const data = join(t.dir, 'data');
    const cacheDir = join(t.dir, 'cache');

    // Another command: runs, writes no cache.
    const check = spawn(process.execPath, [join(root, 'bin/pickup-kiosk.js'), 'config', 'check', '--config', configPath], { env: { ...process.env, CACHE_DIRECTORY: cacheDir } });
    expect(await new Promise((r) => check.once('exit', r))).toBe(0);
    expect(caches(cacheDir)).toEqual([]);

    const first = await startAndStop(configPath, data, cacheDir);
    expect(first.out).toContain('pickup-kiosk cached connected to the broker');
    expect(first.code).toBe(0);
    const [made] = caches(cacheDir);
    expect(made).toMatch(new RegExp(`^cli-${process.version.replace(/\./g, '\\.')}-${process.arch}-\\d+-\\d+\\.v8cache$`));
    const file = join(cacheDir, made);
    const good = readFileSync(file);
    expect(good.length).toBeGreaterThan(100_000); // the bytecode of what a start ran
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);

    // Used as it is: not written again.
    const mtime = statSync(file).mtimeMs;
    const second = await startAndStop(configPath, data, cacheDir);
    expect(second.out).toContain('pickup-kiosk cached connected to the broker');
    expect(second.code).toBe(0);
    expect(caches(cacheDir)).toEqual([made]);
    expect(statSync(file).mtimeMs).toBe(mtime);

    // Refused by V8: the kiosk starts all the same and the cache is made again.
    writeFileSync(file, Buffer.alloc(good.length, 0x5a));
    const third = await startAndStop(configPath, data, cacheDir);
    expect(third.out).toContain('pickup-kiosk cached connected to the broker');
    expect(third.code).toBe(0);
    expect(caches(cacheDir)).toEqual([made]);
    const remade = readFileSync(file);
    expect(remade.length).toBeGreaterThan(100_000);
    expect(remade.equals(Buffer.alloc(good.length, 0x5a))).toBe(false);
  }, 120_000);
});
