import type { TypedEmitter } from '../../src/core/events.js';
import type { ConnectionEvents, DriverBase } from '../lifecycle.js';

export type CardKind = 'iso7816' | 'ntag';

export interface CardInfo {
  reader: string;
  atr: Buffer;
  kind: CardKind;
}

/** Why a card operation failed, from its status word. */
export type CardErrorCode =
  | 'wrong-pin' // 63Cx: `triesLeft` says how many are left
  | 'blocked' // 6983: the PIN is blocked
  | 'not-found' // 6A82: no such file
  | 'security' // 6982: access condition not satisfied (VERIFY first)
  | 'removed' // the card was pulled mid-command
  | 'unsupported' // the card does not speak this
  | 'failed'; // any other status word

export class CardError extends Error {
  override readonly name = 'CardError';
  constructor(
    readonly code: CardErrorCode,
    message: string,
    readonly sw?: number,
    readonly triesLeft?: number,
  ) {
    super(message);
  }
}

export type CardReaderEvents = ConnectionEvents & {
  /** A card or tag came onto the reader. */
  insert: [card: CardInfo];
  /** It left. Pending calls reject with CardError `removed`. */
  remove: [reader: string];
};

/** An IC card / NFC reader (PC/SC). */
export interface CardReader extends DriverBase, TypedEmitter<CardReaderEvents> {
  /** ISO 7816-4 VERIFY (P2 = 0x01) with the PIN's ASCII bytes. Never logs the PIN. */
  verifyPin(pin: string): Promise<void>;
  /** SELECT the EF then READ BINARY in chunks of at most 255 bytes until the end. */
  readFile(fileId: number): Promise<Buffer>;
  /** SELECT the EF then UPDATE BINARY from offset 0. */
  updateFile(fileId: number, data: Buffer): Promise<void>;
  /** Reads an NTAG's NDEF message (FF B0) and returns its first Text record's text. */
  readNdefText(): Promise<string>;
}
