/**
 * Runs the built binary's `start` until it is running and connected to its broker (or exits, or a minute
 * passes), then stops it with SIGTERM; returns all it printed and its exit code.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/config/index.js';

export async function startThenStop(args: string[], env: NodeJS.ProcessEnv): Promise<{ out: string; code: number | null }> {
  const child = spawn(process.execPath, [join(packageRoot(), 'bin/pickup-kiosk.js'), 'start', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const end = Date.now() + 60_000;
  while (!(out.includes(' running — ') && out.includes(' connected to the broker ')) && child.exitCode === null && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  return { out, code: await exited };
}
