/**
 * vpcd takes one virtual card per slot, and every process on the machine sees
 * the same pcscd readers. Whoever uses a slot (a HIL test file, the kiosk in
 * HIL mode) holds that slot's lock for as long as it does, so test files run
 * side by side without seeing each other's cards.
 *
 * The lock is flock(1) held by a child process: if this process dies, the
 * child's stdin closes, it exits and the lock is free again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VPCD_PORT } from './vpcd-codec.js';

export interface VpcdSlot {
  slot: number;
  /** vpcd's TCP port for this slot. */
  port: number;
  /** Reader name pcscd gives this slot with the stock vpcd config. */
  readerName: string;
  release(): Promise<void>;
}

export interface VpcdLockOptions {
  /**
   * Slots to try, in order. Default [0]: the stock vpcd config has two slots,
   * but they are one reader to pcscd, and a card busy on one delays presence
   * changes on the other by seconds, so by default users take turns on slot 0.
   */
  slots?: number[];
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  lockDir?: string;
}

function tryLock(file: string): Promise<ChildProcess | undefined> {
  return new Promise((resolve) => {
    const child = spawn('flock', ['-n', '-x', file, 'sh', '-c', 'echo locked; exec cat'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    let done = false;
    const finish = (v: ChildProcess | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
    };
    child.on('error', () => finish(undefined));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('locked')) finish(child);
    });
    child.on('exit', () => finish(undefined));
  });
}

/** Takes the first free vpcd slot, waiting while all are in use. */
export async function acquireVpcdSlot(opts: VpcdLockOptions = {}): Promise<VpcdSlot> {
  const slots = opts.slots ?? [0];
  const dir = opts.lockDir ?? tmpdir();
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    for (const slot of slots) {
      const child = await tryLock(join(dir, `pickup-kiosk-vpcd-slot${slot}.lock`));
      if (!child) continue;
      // Holding the lock must not keep this process alive on its own.
      child.unref();
      for (const pipe of [child.stdin, child.stdout] as unknown as ({ unref?: () => void } | null)[]) pipe?.unref?.();
      return {
        slot,
        port: VPCD_PORT + slot,
        readerName: `Virtual PCD 00 ${slot.toString(16).toUpperCase().padStart(2, '0')}`,
        release: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.stdin?.end(); // cat exits, flock releases
          }),
      };
    }
    if (Date.now() > deadline) {
      throw new Error(`every vpcd slot (${slots.join(', ')}) stayed in use for ${opts.timeoutMs ?? 60_000} ms; is a stuck test holding one?`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
