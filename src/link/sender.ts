/**
 * Sends the outbox. Everything it knows is in SQLite: a row is published
 * (QoS 1, its stored bytes), its try recorded with the next retry time
 * (capped exponential backoff), and it stays until the receiver's ack names
 * it. mqtt.js's in-flight store is memory only and is never relied on: after
 * a reconnect every unacked row is sent again at once.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Log } from '../core/log.js';
import type { OutboxRow, Store } from '../store/index.js';
import type { LinkStore } from '../store/link-store.js';
import { retryDelayMs } from './backoff.js';

export interface SenderOptions {
  store: Store;
  links: LinkStore;
  clock: Clock;
  log: Log;
  retry: { startMs: number; maxMs: number };
  publish: (topic: string, payload: Buffer) => Promise<void>;
  isUp: () => boolean;
  /** Rows read per round. */
  batch?: number;
  /** Publishes waiting for their PUBACK at most. */
  maxInFlight?: number;
}

export class OutboxSender {
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private scheduled = false;
  private stopped = false;
  private inFlight = 0;
  private readonly batch: number;
  private readonly maxInFlight: number;

  constructor(private readonly o: SenderOptions) {
    this.batch = o.batch ?? 500;
    this.maxInFlight = o.maxInFlight ?? 2000;
  }

  /** Connected (again): what was in flight may be lost, so every unacked row is due now. */
  onUp(): void {
    const n = this.o.links.retryAllNow(this.o.clock.now());
    if (n > 0) this.o.log.info({ rows: n }, 'resending unacknowledged outbox rows after connecting');
    this.kick();
  }

  onDown(): void {
    this.clearTimer();
  }

  /** New rows (or an ack that unblocks a parcel's next row): send soon, in a later tick. */
  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private pump(): void {
    if (this.stopped || !this.o.isUp()) return;
    const room = this.maxInFlight - this.inFlight;
    if (room <= 0) return; // A PUBACK kicks again.
    const { store, clock } = this.o;
    const now = clock.now();
    let rows: OutboxRow[];
    try {
      rows = store.outbox.due(now, Math.min(this.batch, room));
      if (rows.length > 0) {
        // Rows with the same number of tries share their next time: one statement per group.
        const byTries = new Map<number, number[]>();
        for (const r of rows) {
          const group = byTries.get(r.tries);
          if (group === undefined) byTries.set(r.tries, [r.seq]);
          else group.push(r.seq);
        }
        store.tx(() => {
          for (const [tries, seqs] of byTries) store.outbox.markTried(seqs, now + retryDelayMs(tries, this.o.retry.startMs, this.o.retry.maxMs));
        });
      }
    } catch (e) {
      // A locked or failing database: try again later rather than lose the loop.
      this.o.log.error({ err: (e as Error).message }, 'outbox read failed; retrying in a second');
      this.arm(now + 1000);
      return;
    }
    for (const r of rows) {
      this.inFlight++;
      this.o
        .publish(r.topic, r.payload)
        .catch((e: unknown) => this.o.log.debug({ eventId: r.eventId, err: (e as Error).message }, 'outbox publish not confirmed; it will be retried'))
        .finally(() => {
          this.inFlight--;
          if (this.inFlight === this.maxInFlight - 1) this.kick();
        });
    }
    if (rows.length > 0 && rows.length === Math.min(this.batch, room)) {
      this.kick(); // More may be due: continue in the next tick, letting other work in between.
      return;
    }
    const next = this.o.links.nextFutureTry(now);
    if (next !== null) this.arm(next);
  }

  private arm(at: number): void {
    if (this.timer !== null && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, at - this.o.clock.now()));
  }

  private clearTimer(): void {
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }
}
