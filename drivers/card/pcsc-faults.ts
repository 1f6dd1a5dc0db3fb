/**
 * What a failed PC/SC call means for the kiosk, the error a failed transmit
 * becomes, and a deadline helper. Kept apart from pcsc.ts so the driver file
 * stays about readers and cards.
 */
import type { Clock } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import { SCARD, type PcscError } from './binding.js';
import { CardError } from './contract.js';

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

/**
 * The error a failed transmit on `card` becomes (`device`: the driver's name).
 * An unclear failure waits `graceMs` on `clock` for the card's removal to show
 * (`card.gone`) before it is called a card that did not answer.
 */
export async function transmitError(
  err: PcscError,
  card: { readonly info: { readonly reader: string }; readonly gone: boolean },
  clock: Clock,
  graceMs: number,
  device: string,
): Promise<Error> {
  const removed = () => new CardError('removed', `the card was removed from "${card.info.reader}" during a command`);
  switch (transmitFault(err)) {
    case 'removed':
      return removed();
    case 'reader-gone':
      return new DeviceError('disconnected', `the reader went away during a command (${err.message})`, device);
    case 'reset':
      return new CardError('failed', 'the card was reset by another program; present it again');
    case 'unclear':
      break;
  }
  if (card.gone) return removed();
  // pcscd often reports a pulled card as a plain transmit failure and shows the
  // removal a poll later; a removal meanwhile rejects the call with `removed`.
  await new Promise<void>((resolve) => clock.setTimeout(resolve, graceMs));
  if (card.gone) return removed();
  return new CardError('failed', `the card did not answer: ${err.message}`);
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
