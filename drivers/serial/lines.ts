/**
 * Line codec for text devices (scanners, keypads): bytes → lines ended by CR,
 * LF or CRLF. A CRLF split across two chunks is still one ending. Empty lines
 * are skipped. A line longer than `maxLength` is dropped up to its ending (the
 * device or the line is confused; what follows the ending is trusted again).
 *
 * Pure: no I/O, never throws on input.
 */

export interface LineDecoderOptions {
  /** Longest line kept, in bytes, ending excluded. Default 512. */
  maxLength?: number;
}

export type LineEvent =
  | { type: 'line'; line: Buffer }
  /** A line was dropped for being longer than maxLength; `dropped` counts its bytes. */
  | { type: 'overflow'; dropped: number };

const CR = 0x0d;
const LF = 0x0a;

export class LineDecoder {
  readonly maxLength: number;
  private parts: Buffer[] = [];
  private length = 0;
  private overflowing = false;
  private dropped = 0;
  private afterCR = false;

  constructor(options: LineDecoderOptions = {}) {
    const max = options.maxLength ?? 512;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`line maxLength must be a positive integer, got ${max}`);
    this.maxLength = max;
  }

  /** Bytes held for a line not yet ended. */
  get pending(): number {
    return this.length;
  }

  push(chunk: Uint8Array): LineEvent[] {
    const out: LineEvent[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== CR && b !== LF) continue;
      if (b === LF && this.afterCR && i === start && this.length === 0 && !this.overflowing) {
        // The LF of a CRLF whose CR ended the previous line.
        this.afterCR = false;
        start = i + 1;
        continue;
      }
      this.take(chunk, start, i);
      this.end(out);
      this.afterCR = b === CR;
      start = i + 1;
    }
    if (start < chunk.length) {
      this.take(chunk, start, chunk.length);
      this.afterCR = false;
    }
    return out;
  }

  /**
   * Ends the line held so far as if its ending had come (for devices that send
   * no ending: the caller decides when the device has gone quiet).
   */
  flush(): LineEvent[] {
    const out: LineEvent[] = [];
    this.end(out);
    this.afterCR = false;
    return out;
  }

  reset(): void {
    this.parts = [];
    this.length = 0;
    this.overflowing = false;
    this.dropped = 0;
    this.afterCR = false;
  }

  private take(chunk: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    if (this.overflowing) {
      this.dropped += to - from;
      return;
    }
    if (this.length + (to - from) > this.maxLength) {
      this.overflowing = true;
      this.dropped = this.length + (to - from);
      this.parts = [];
      this.length = 0;
      return;
    }
    this.parts.push(Buffer.from(chunk.subarray(from, to)));
    this.length += to - from;
  }

  private end(out: LineEvent[]): void {
    if (this.overflowing) {
      out.push({ type: 'overflow', dropped: this.dropped });
      this.overflowing = false;
      this.dropped = 0;
    } else if (this.length > 0) {
      out.push({ type: 'line', line: Buffer.concat(this.parts, this.length) });
    }
    this.parts = [];
    this.length = 0;
  }
}
