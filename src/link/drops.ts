/**
 * Messages the link refuses: each is logged once, with why, and never acted
 * on. A flood (a broken or hostile publisher) is summarised instead of
 * filling the journal: at most `perWindow` lines per window, then one line
 * saying how many more were dropped.
 */
import type { Clock } from '../core/clock.js';
import type { Log } from '../core/log.js';

export interface Drop {
  topic: string;
  reason: string;
  /** The envelope's signer where it could be read (unverified unless the reason is past the signature). */
  by: string | null;
  id: string | null;
}

export class DropLog {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly log: Log,
    private readonly clock: Clock,
    private readonly perWindow = 20,
    private readonly windowMs = 60_000,
  ) {}

  note(d: Drop, quiet = false): void {
    const now = this.clock.now();
    if (now - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0) {
        this.log.warn({ suppressed: this.suppressed }, `${this.suppressed} more inbound messages were dropped without a log line`);
      }
      this.windowStart = now;
      this.inWindow = 0;
      this.suppressed = 0;
    }
    if (quiet) {
      this.log.debug(d, 'inbound message dropped');
      return;
    }
    if (this.inWindow >= this.perWindow) {
      this.suppressed++;
      return;
    }
    this.inWindow++;
    this.log.warn(d, `inbound message dropped: ${d.reason}`);
  }
}
