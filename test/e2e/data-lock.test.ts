/**
 * One kiosk per data directory, with the built binary: a second `start` on a
 * directory in use exits non-zero naming the holder's pid and leaves the store
 * alone; after the holder is killed with SIGKILL the next start runs (the lock
 * dies with its process); after SIGTERM the directory is free too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { assertBuilt } from '../support/built.js';
import { tempDir } from '../support/tmp.js';

const root = packageRoot();
const children: ChildProcess[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const c of cleanups.splice(0)) c();
});

interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function start(configPath: string, dataDir: string): Run {
  const child = spawn(process.execPath, [join(root, 'bin/pickup-kiosk.js'), 'start', '--config', configPath, '--data-dir', dataDir, '--http-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { child, out: () => out, exited };
}

async function running(r: Run): Promise<void> {
  const end = Date.now() + 30_000;
  while (!r.out().includes(' running — ')) {
    if (Date.now() > end || r.child.exitCode !== null) throw new Error(`the kiosk did not come up:\n${r.out()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('start: one kiosk per data directory', () => {
  it('refuses a second start naming the holder, and starts again after the holder is killed (-9) or stopped', async () => {
    assertBuilt(root);
    const t = tempDir('pk-lock-');
    cleanups.push(t.cleanup);
    const config = join(t.dir, 'kiosk.json');
    writeFileSync(config, JSON.stringify({ kioskId: 'lock-test', demo: { parcels: 0 } }));
    const dataDir = join(t.dir, 'data');

    const first = start(config, dataDir);
    await running(first);
    const second = start(config, dataDir);
    expect(await second.exited).toBe(1);
    expect(second.out()).toContain(`data directory ${dataDir} is in use by process ${first.child.pid}`);
    expect(first.child.exitCode).toBeNull(); // The holder runs on, untouched.

    first.child.kill('SIGKILL');
    await first.exited;
    const third = start(config, dataDir);
    await running(third);
    const fourth = start(config, dataDir);
    expect(await fourth.exited).toBe(1);
    expect(fourth.out()).toContain(`in use by process ${third.child.pid}`);

    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    const fifth = start(config, dataDir);
    await running(fifth);
    fifth.child.kill('SIGTERM');
    expect(await fifth.exited).toBe(0);
  }, 90_000);
});
