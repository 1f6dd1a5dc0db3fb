import type { Clock, TimerHandle } from '../../src/clock.js';
import { DeviceError } from '../errors.js';
import type { ByteTransport } from '../serial/transport.js';
import { Cu16Decoder, type Cu16Reply } from './cu16-codec.js';

/** Lower runs first: an unlock never waits behind more than the one frame already on the wire. */
export const PRIORITY = { unlock: 0, read: 1, poll: 2 } as const;
export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

interface Transaction {
  board: number;
  frame: Buffer;
  priority: Priority;
  timeoutMs: number;
  label: string;
  onSent?: () => void;
  resolve: (reply: Cu16Reply) => void;
  reject: (err: DeviceError) => void;
}

export interface BusHooks {
  /** Every valid reply, matched or not, before the waiting call resolves. */
  onReply(reply: Cu16Reply): void;
  /** Junk or a bad checksum on the line (the current transaction, if any, has been failed). */
  onNoise(kind: 'garbage' | 'checksum', bytes: Buffer): void;
}

/**
 * The RS-485 half-duplex discipline: one request on the wire at a time, the
 * next only after the reply or the timeout. Requests wait in a priority queue
 * (unlock > read > poll, FIFO within a priority). A reply is matched by board
 * address; every board reply carries its full status, so any reply from the
 * addressed board answers the request.
 */
export class Cu16Bus {
  private readonly decoder = new Cu16Decoder();
  private readonly queue: Transaction[] = [];
  private current: { tx: Transaction; timer: TimerHandle | null } | null = null;

  constructor(
    private readonly transport: ByteTransport,
    private readonly clock: Clock,
    private readonly hooks: BusHooks,
  ) {}

  get busy(): boolean {
    return this.current !== null;
  }

  /** Number of requests waiting (not counting the one on the wire). */
  get waiting(): number {
    return this.queue.length;
  }

  hasQueued(pred: (board: number, priority: Priority) => boolean): boolean {
    return this.queue.some((t) => pred(t.board, t.priority)) || (this.current !== null && pred(this.current.tx.board, this.current.tx.priority));
  }

  request(
    board: number,
    frame: Buffer,
    priority: Priority,
    timeoutMs: number,
    label: string,
    onSent?: () => void,
  ): Promise<Cu16Reply> {
    return new Promise<Cu16Reply>((resolve, reject) => {
      const tx: Transaction = { board, frame, priority, timeoutMs, label, resolve, reject };
      if (onSent) tx.onSent = onSent;
      // Insert after the last entry of the same or higher priority.
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1].priority > priority) at--;
      this.queue.splice(at, 0, tx);
      this.pump();
    });
  }

  /** Feed bytes from the transport. */
  receive(chunk: Buffer): void {
    for (const ev of this.decoder.push(chunk)) {
      switch (ev.type) {
        case 'reply':
          this.hooks.onReply(ev.reply);
          if (this.current && this.current.tx.board === ev.reply.board) this.finish(null, ev.reply);
          break;
        case 'checksum':
          // The reply to the request on the wire got mangled; waiting longer will not fix it.
          if (this.current) {
            this.finish(new DeviceError('checksum', `${this.current.tx.label}: the reply had a bad checksum`), null);
          }
          this.hooks.onNoise('checksum', ev.frame);
          break;
        case 'garbage':
          this.hooks.onNoise('garbage', ev.bytes);
          break;
        case 'request':
          // Our own request echoed back by an RS-485 adapter that hears itself: not an answer.
          break;
        default: {
          const never: never = ev;
          return never;
        }
      }
    }
  }

  /** Rejects the request on the wire and every waiting one. */
  failAll(err: DeviceError): void {
    const cur = this.current;
    this.current = null;
    if (cur) {
      if (cur.timer) this.clock.clearTimeout(cur.timer);
      cur.tx.reject(err);
    }
    for (const tx of this.queue.splice(0)) tx.reject(err);
    this.decoder.reset();
  }

  /** Sends the next request if the wire is free and the transport is up. */
  pump(): void {
    if (this.current || !this.transport.isOpen) return;
    const tx = this.queue.shift();
    if (!tx) return;
    const cur: { tx: Transaction; timer: TimerHandle | null } = { tx, timer: null };
    this.current = cur;
    cur.timer = this.clock.setTimeout(() => {
      if (this.current !== cur) return;
      this.finish(new DeviceError('timeout', `${tx.label}: no reply within ${tx.timeoutMs} ms`), null);
    }, tx.timeoutMs);
    tx.onSent?.();
    this.transport.write(tx.frame).catch((e: unknown) => {
      if (this.current !== cur) return;
      const err = e instanceof DeviceError ? e : new DeviceError('disconnected', `${tx.label}: write failed: ${String(e)}`);
      this.finish(err, null);
    });
  }

  private finish(err: DeviceError | null, reply: Cu16Reply | null): void {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    if (cur.timer) this.clock.clearTimeout(cur.timer);
    if (err) cur.tx.reject(err);
    else if (reply) cur.tx.resolve(reply);
    this.pump();
  }
}
