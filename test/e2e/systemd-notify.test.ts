/**
 * The built binary under a real NOTIFY_SOCKET, as systemd runs it
 * (Type=notify, WatchdogSec): READY=1 with a STATUS once it serves, WATCHDOG=1
 * at half the watchdog period, STOPPING=1 on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { assertBuilt } from '../support/built.js';
import { startNotifySocket } from '../support/notify-socket.js';
import { tempDir } from '../support/tmp.js';

const root = packageRoot();
const cleanups: Array<() => void> = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const c of cleanups.splice(0)) c();
});

describe('pickup-kiosk start under systemd', () => {
  it('notifies READY, STATUS and WATCHDOG while healthy, and STOPPING on SIGTERM', async () => {
    assertBuilt(root);
    const t = tempDir('pk-sd-');
    cleanups.push(t.cleanup);
    const sock = await startNotifySocket(t.dir);
    cleanups.push(() => sock.stop());
    const config = JSON.parse(readFileSync(join(root, 'config/default.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(t.dir, 'kiosk.json'), JSON.stringify({ ...config, dataDir: join(t.dir, 'data'), demo: { parcels: 0 }, http: { host: '127.0.0.1', port: 0 } }));
    const child = spawn(process.execPath, [join(root, 'bin/pickup-kiosk.js'), 'start', '--config', join(t.dir, 'kiosk.json')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '1000000' },
    });
    children.push(child);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));

    const ready = await sock.waitFor((m) => m.READY === '1');
    expect(ready.STATUS).toBe('serving');
    expect(ready.MAINPID).toBe(String(child.pid));
    // 500 ms cadence: at least three pings within ~2 s.
    const t0 = Date.now();
    while (sock.messages().filter((m) => m.WATCHDOG === '1').length < 3) {
      if (Date.now() - t0 > 10_000) throw new Error(`too few watchdog pings: ${JSON.stringify(sock.messages())}\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await sock.waitFor((m) => m.STOPPING === '1', 5000);
    const msgs = sock.messages();
    const iReady = msgs.findIndex((m) => m.READY === '1');
    const iStop = msgs.findIndex((m) => m.STOPPING === '1');
    expect(iReady).toBe(0);
    expect(iStop).toBe(msgs.length - 1);
  });
});
