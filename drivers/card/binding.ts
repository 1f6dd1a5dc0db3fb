/**
 * The small surface the PC/SC driver needs from a PC/SC stack. pcsclite.ts
 * implements it over the `pcsclite` native module; the driver takes an
 * `OpenPcsc` in its constructor and never touches the module itself.
 */
import type { TypedEmitter } from '../../src/core/events.js';

/** A PC/SC failure with its SCARD_* code when the stack gave one. */
export class PcscError extends Error {
  override readonly name = 'PcscError';
  constructor(
    message: string,
    /** e.g. 0x80100069 SCARD_W_REMOVED_CARD; undefined when unknown. */
    readonly scard?: number,
  ) {
    super(message);
  }
}

/** SCARD_* result codes the driver tells apart. */
export const SCARD = {
  E_NO_SMARTCARD: 0x8010000c,
  E_UNKNOWN_READER: 0x80100009,
  E_NOT_TRANSACTED: 0x80100016,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

export interface PcscReaderStatus {
  /** A card is in the field / slot and answered (PRESENT and not MUTE). */
  present: boolean;
  /** The ATR, empty when no card. */
  atr: Buffer;
  /** The raw SCARD_STATE_* bits, for logs. */
  state: number;
}

export type PcscProtocol = 'T0' | 'T1' | 'any';

export type PcscReaderEvents = {
  status: [status: PcscReaderStatus];
  /** The reader is gone (unplugged, or pcscd stopped). No event follows. */
  end: [];
  error: [err: PcscError];
};

export interface PcscReaderHandle extends TypedEmitter<PcscReaderEvents> {
  readonly name: string;
  /** Connects to the card (shared mode). Resolves with the protocol in use. */
  connect(protocol: PcscProtocol): Promise<'T0' | 'T1' | 'raw'>;
  /** Sends one command APDU; resolves with the response APDU. */
  transmit(command: Buffer): Promise<Buffer>;
  /** Leaves the card (resets it, so its security state is dropped). */
  disconnect(): Promise<void>;
  /** Stops watching this reader. */
  close(): void;
}

export type PcscContextEvents = {
  reader: [reader: PcscReaderHandle];
  /** The context failed (pcscd stopped); it watches nothing more. */
  error: [err: PcscError];
};

export interface PcscContext extends TypedEmitter<PcscContextEvents> {
  close(): void;
}

/**
 * Opens a PC/SC context. Rejects with DeviceError `missing-module` when the
 * native module is absent, `not-found` when pcscd does not answer.
 */
export type OpenPcsc = () => Promise<PcscContext>;
