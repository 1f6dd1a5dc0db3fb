import type { FingerprintPad } from '../../drivers/fingerprint/contract.js';
import { b64uDecode } from '../domain/index.js';
import type { Log } from '../core/log.js';
import type { Parcel } from '../store/index.js';

/** How long the pad waits for a finger once a parcel with a template is named. */
export const FINGER_WAIT_MS = 60_000;

/** The capture each pad is running now, so a new naming can end the one before it. */
const running = new WeakMap<FingerprintPad, { stop: () => void; done: Promise<unknown> }>();

/**
 * Starts one 1:1 match of a finger on the pad against the parcel's reference
 * template (protocol.md `bio`). `done` gets true (match) or false (another
 * finger), once; nothing when no finger came or the watch was stopped. The
 * watch stops when `signal` aborts (the conversation ended) or the returned
 * function is called; the pad's capture is then cancelled, so the next naming
 * can capture at once. Templates never reach a log.
 */
export function watchFinger(pad: FingerprintPad, p: Parcel, log: Log, signal: AbortSignal, done: (match: boolean) => void): () => void {
  const template = p.bio ? b64uDecode(p.bio.template) : null;
  if (!template || signal.aborted) return () => undefined;
  // The capture before this one is cancelled; the pad takes one capture at a time, so this one starts after it.
  const before = running.get(pad);
  before?.stop();
  let live = true;
  const finish = (): void => {
    live = false;
    signal.removeEventListener('abort', stop);
    if (running.get(pad)?.stop === stop) running.delete(pad);
  };
  const stop = (): void => {
    if (!live) return;
    finish();
    pad.cancel?.();
  };
  signal.addEventListener('abort', stop);
  const capture = before ? before.done.then(() => pad.verify(template, FINGER_WAIT_MS)) : pad.verify(template, FINGER_WAIT_MS);
  const verify = capture.then(
    (r) => {
      if (!live) return;
      finish();
      done(r.match);
    },
    (e: Error & { code?: string }) => {
      if (live && e.code !== 'timeout' && e.code !== 'closed') log.warn({ txn: p.txn, err: e.message }, 'fingerprint check failed');
      finish();
    },
  );
  running.set(pad, { stop, done: verify });
  return stop;
}
