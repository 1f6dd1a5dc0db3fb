import type { ByteTransport } from '../serial/transport.js';

export type LineEnding = 'CR' | 'LF' | 'CRLF' | 'none';

export interface ScanOptions {
  /** An AIM identifier to put in front, e.g. `]Q1`. Default none. */
  aim?: string;
  /** Default: the sim's ending (CR unless set otherwise). */
  ending?: LineEnding;
}

const ENDINGS: Record<LineEnding, string> = { CR: '\r', LF: '\n', CRLF: '\r\n', none: '' };

/**
 * A serial barcode scanner's end of the line: `scan(text)` sends what a real
 * scanner sends when it reads a symbol. Attach it to the device end of a pty
 * pair (or a pipe); the caller opens and closes the transport.
 */
export class ScannerWireSim {
  /** Every symbol sent with scan(), in order. */
  readonly scans: string[] = [];

  constructor(
    private readonly transport: ByteTransport,
    private readonly defaultEnding: LineEnding = 'CR',
  ) {}

  scan(text: string, options: ScanOptions = {}): Promise<void> {
    this.scans.push(text);
    const ending = ENDINGS[options.ending ?? this.defaultEnding];
    return this.transport.write(Buffer.from(`${options.aim ?? ''}${text}${ending}`, 'utf8'));
  }

  /** Sends raw bytes: junk, half lines, a burst of noise. */
  sendRaw(bytes: Buffer): Promise<void> {
    return this.transport.write(bytes);
  }
}
