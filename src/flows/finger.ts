import type { FingerprintPad } from '../../drivers/fingerprint/contract.js';
import { b64uDecode } from '../domain/index.js';
import type { Log } from '../log.js';
import type { Parcel } from '../store/index.js';

/** How long the pad waits for a finger once a parcel with a template is named. */
export const FINGER_WAIT_MS = 60_000;

/**
 * Starts one 1:1 match of a finger on the pad against the parcel's reference
 * template (protocol.md `bio`). `done` gets true (match) or false (another
 * finger), once; nothing when no finger came or the watch was cancelled.
 * Templates never reach a log.
 */
export function watchFinger(pad: FingerprintPad, p: Parcel, log: Log, done: (match: boolean) => void): () => void {
  const template = p.bio ? b64uDecode(p.bio.template) : null;
  if (!template) return () => undefined;
  let live = true;
  pad.verify(template, FINGER_WAIT_MS).then(
    (r) => {
      if (live) done(r.match);
    },
    (e: Error & { code?: string }) => {
      if (live && e.code !== 'timeout' && e.code !== 'closed') log.warn({ txn: p.txn, err: e.message }, 'fingerprint check failed');
    },
  );
  return () => {
    live = false;
  };
}
