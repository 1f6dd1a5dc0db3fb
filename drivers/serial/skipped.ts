/**
 * The bytes a stream decoder skips between frames: each run is reported as one
 * `garbage` event when the next frame (or the end of what arrived) is reached,
 * less the bytes of a frame already reported as a bad checksum (decoders rescan
 * such a frame from its next byte, since a real frame may start inside it).
 */
export interface Garbage {
  type: 'garbage';
  bytes: Buffer;
}

export class SkippedBytes {
  private from = -1;
  private reportedUntil = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly events: { push(e: Garbage): unknown },
  ) {}

  /** Byte `i` belongs to no frame. */
  skip(i: number): void {
    if (this.from < 0) this.from = i;
  }

  /** Something is reported at `to` (a frame, a bad checksum, the end): the run skipped before it goes first. */
  flush(to: number): void {
    const from = Math.max(this.from, this.reportedUntil);
    if (this.from >= 0 && to > from) this.events.push({ type: 'garbage', bytes: Buffer.from(this.buf.subarray(from, to)) });
    this.from = -1;
  }

  /** The bytes before `until` were reported inside a bad-checksum frame. */
  reported(until: number): void {
    this.reportedUntil = Math.max(this.reportedUntil, until);
  }
}
