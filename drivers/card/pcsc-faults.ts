/**
 * What a failed PC/SC call means for the kiosk, and a deadline helper. Kept
 * apart from pcsc.ts so the driver file stays about readers and cards.
 */
import type { Clock } from '../../src/clock.js';
import { SCARD, type PcscError } from './binding.js';

/**
 * - `removed`: the card is gone (pcscd said so).
 * - `reader-gone`: the reader or pcscd is gone.
 * - `reset`: another program reset the card; its PIN state is lost.
 * - `unclear`: anything else, which is how pcscd often reports a card pulled
 *   mid-command before its presence poll has noticed.
 */
export type TransmitFault = 'removed' | 'reader-gone' | 'reset' | 'unclear';

export function transmitFault(err: PcscError): TransmitFault {
  switch (err.scard) {
    case SCARD.W_REMOVED_CARD:
    case SCARD.E_NO_SMARTCARD:
      return 'removed';
    case SCARD.E_READER_UNAVAILABLE:
    case SCARD.E_UNKNOWN_READER:
    case SCARD.E_NO_SERVICE:
    case SCARD.E_SERVICE_STOPPED:
      return 'reader-gone';
    case SCARD.W_RESET_CARD:
      return 'reset';
    case undefined:
    default:
      return 'unclear';
  }
}

/** `p`, or `onTimeout()` as the rejection when it takes longer than `ms` on `clock`. */
export function withDeadline<T>(clock: Clock, p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = clock.setTimeout(() => reject(onTimeout()), ms);
    p.then(
      (v) => {
        clock.clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
