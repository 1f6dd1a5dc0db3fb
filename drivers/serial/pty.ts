import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceError } from '../../src/core/errors.js';

/**
 * A linked pair of pseudo-terminals made by socat: whatever is written to one
 * end comes out of the other, like a null-modem cable. The kiosk opens
 * `kioskPath` with its real serial driver; a wire-level simulator opens
 * `devicePath` and plays the device.
 */
export interface PtyPair {
  /** The directory holding both links. */
  readonly dir: string;
  /** The end the driver under test opens (`<dir>/kiosk`). */
  readonly kioskPath: string;
  /** The end the simulator opens (`<dir>/device`). */
  readonly devicePath: string;
  /** Kills socat: both ends hang up and both links go away, as when a cable is pulled. */
  stop(): Promise<void>;
  /** Starts socat again on the same link paths, as when the cable is plugged back in. */
  restart(): Promise<void>;
  /** Stops socat and removes the directory when startPtyPair created it. */
  dispose(): Promise<void>;
}

const START_TIMEOUT_MS = 5000;

/**
 * Starts `socat -d -d pty,raw,echo=0,link=<dir>/kiosk pty,raw,echo=0,link=<dir>/device`
 * and resolves once both links exist and socat is moving data. Without `dir`
 * a fresh temp directory is made (and removed by `dispose`).
 *
 * Rejects with DeviceError `missing-module` when socat is not installed.
 */
export async function startPtyPair(dir?: string): Promise<PtyPair> {
  const ownDir = dir === undefined;
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'kiosk-pty-')));
  const kioskPath = join(root, 'kiosk');
  const devicePath = join(root, 'device');
  let child: ChildProcess | null = await spawnSocat(kioskPath, devicePath);

  async function stop(): Promise<void> {
    const c = child;
    child = null;
    if (c) await killAndWait(c);
    // socat unlinks its links on a clean exit; make sure, so a reconnect
    // attempt sees "no such file" rather than a stale link.
    await removeLink(kioskPath);
    await removeLink(devicePath);
  }

  return {
    dir: root,
    kioskPath,
    devicePath,
    stop,
    async restart() {
      await stop();
      child = await spawnSocat(kioskPath, devicePath);
    },
    async dispose() {
      await stop();
      if (ownDir) await rm(root, { recursive: true, force: true });
    },
  };
}

async function spawnSocat(kioskPath: string, devicePath: string): Promise<ChildProcess> {
  const args = [
    '-d',
    '-d',
    `pty,raw,echo=0,link=${kioskPath}`,
    `pty,raw,echo=0,link=${devicePath}`,
  ];
  const child = spawn('socat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise<ChildProcess>((resolve, reject) => {
    let stderr = '';
    let transferring = false;
    let settled = false;
    const started = Date.now();
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else {
        // Keep draining stderr so socat never blocks on a full pipe.
        resolve(child);
      }
    };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      if (!settled) stderr += s;
      if (s.includes('starting data transfer loop')) transferring = true;
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      finish(
        err.code === 'ENOENT'
          ? new DeviceError('missing-module', 'socat is not installed: apt-get install socat')
          : new Error(`could not start socat: ${err.message}`),
      );
    });
    child.once('exit', (code, signal) => {
      finish(new Error(`socat exited (${signal ?? `code ${code}`}) before the pty pair was ready: ${stderr.trim()}`));
    });
    const poll = setInterval(() => {
      if (transferring && existsSync(kioskPath) && existsSync(devicePath)) finish(null);
      else if (Date.now() - started > START_TIMEOUT_MS) {
        finish(new Error(`socat did not make ${kioskPath} and ${devicePath} within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`));
      }
    }, 5);
  });
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function removeLink(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
