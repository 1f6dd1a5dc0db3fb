/**
 * Memory of a real kiosk process while 8 clients each upload 15 MB to
 * /sim/scan at once (before the guard, RSS rose by about 240 MB). Measured
 * in the child's /proc status, so the test's own memory does not count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { assertBuilt } from '../support/built.js';
import { tempDir } from '../support/tmp.js';

const root = packageRoot();
const data = tempDir('pk-rss-');
let child: ChildProcess | null = null;

afterAll(() => {
  child?.kill('SIGKILL');
  data.cleanup();
});

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Sends `size` bytes of a JSON body in 64 KiB pieces, as a slow client would; resolves with the status. */
function upload(url: string, size: number): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: '/sim/scan', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(size) } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve(-1)); // The kiosk may close the connection once it has answered.
    const piece = Buffer.alloc(64 * 1024, 0x41);
    req.write('{"png":"');
    let sent = 8;
    const pump = (): void => {
      while (sent < size - 2) {
        const n = Math.min(piece.length, size - 2 - sent);
        sent += n;
        if (!req.write(piece.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end('"}');
    };
    pump();
  });
}

describe('uploads against a running kiosk', () => {
  it('8 parallel 15 MB uploads leave its RSS within 60 MB of where it was', async () => {
    assertBuilt(root);
    const c = spawn(process.execPath, [join(root, 'bin/pickup-kiosk.js'), 'start', '--data-dir', data.dir, '--http-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const end = Date.now() + 60_000;
    while (!/open (http:\/\/127\.0\.0\.1:\d+\/)/.test(out)) {
      if (Date.now() > end || c.exitCode !== null) throw new Error(`the kiosk did not come up:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1];
    const pid = c.pid!;
    await new Promise((r) => setTimeout(r, 500)); // let start-up allocation settle before the baseline
    const base = rssMb(pid);
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 10);
    const statuses = await Promise.all(Array.from({ length: 8 }, () => upload(url, 15_000_000)));
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(pid));
    console.log(`kiosk RSS ${base.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB during 8 parallel 15 MB uploads`);
    expect(statuses.every((s) => s === 413 || s === -1)).toBe(true);
    expect(peak - base).toBeLessThan(60);
    // Still serving.
    expect((await fetch(new URL('/sim/state', url))).status).toBe(200);
  }, 90_000);
});
