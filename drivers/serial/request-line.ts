import type { Clock, TimerHandle } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import type { ByteTransport } from './transport.js';

/** What a decoder made of some bytes: a frame, or line noise. */
export type LineEvent<F> = { type: 'frame'; frame: F } | { type: 'checksum' | 'garbage'; bytes: Buffer };

export interface LineDecoder<F> {
  push(chunk: Buffer): Array<LineEvent<F>>;
  reset(): void;
}

/** One request and what completes it. */
export interface Exchange<F> {
  bytes: Buffer;
  timeoutMs: number;
  label: string;
  /** Lower goes first; first come, first served within a priority. Default 0. */
  priority?: number;
  /** What the caller knows the request by (see `hasQueued`). */
  tag?: unknown;
  /** Takes a frame heard while this request is on the wire: true when it is complete. null: no reply expected (complete once written). */
  take: ((f: F) => boolean) | null;
  /** At the timeout: the error to fail with, or null when what was taken by then is the answer (a request several devices answer). Default: a `timeout` error. */
  timedOut?: () => DeviceError | null;
  /** A bad checksum does not fail it: other devices may still answer (a bus-wide request). */
  outlivesChecksum?: boolean;
  /** Called just before its bytes are written. */
  onSent?: () => void;
}

interface Queued<F> {
  ex: Exchange<F>;
  priority: number;
  resolve: () => void;
  reject: (e: DeviceError) => void;
}

export interface LineHooks<F> {
  /** Every frame, before it is matched against the request on the wire. */
  heard?(frame: F): void;
  /** A frame that answers no request on the wire (late reply, echo, broadcast). */
  stray?(frame: F): void;
  noise?(kind: 'checksum' | 'garbage', bytes: Buffer): void;
}

export interface LineOptions {
  /** Drop a partial frame when a request times out, so the next reply parses cleanly. Default true; off where a late reply still counts. */
  resetOnTimeout?: boolean;
}

/**
 * One request on the wire at a time: the next is written only after the
 * reply (the request's `take` says it is complete), its timeout, or — for a
 * request that expects no reply — its write. Requests wait in a priority
 * queue (FIFO within a priority). A bad checksum while a request waits fails
 * it at once (waiting longer will not fix it) unless it outlives checksums.
 */
export class RequestLine<F> {
  private readonly queue: Array<Queued<F>> = [];
  private current: { q: Queued<F>; timer: TimerHandle | null } | null = null;
  private readonly resetOnTimeout: boolean;

  constructor(
    private readonly transport: ByteTransport,
    private readonly decoder: LineDecoder<F>,
    private readonly clock: Clock,
    private readonly hooks: LineHooks<F> = {},
    options: LineOptions = {},
  ) {
    this.resetOnTimeout = options.resetOnTimeout ?? true;
  }

  /** Whether the request on the wire is someone's. */
  get busy(): boolean {
    return this.current !== null;
  }

  /** Requests waiting (not counting the one on the wire). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Whether a request matching `pred` waits or is on the wire. */
  hasQueued(pred: (tag: unknown, priority: number) => boolean): boolean {
    const cur = this.current?.q;
    return this.queue.some((q) => pred(q.ex.tag, q.priority)) || (cur !== undefined && pred(cur.ex.tag, cur.priority));
  }

  /** Queues an exchange; resolves when it is complete. */
  send(ex: Exchange<F>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const q: Queued<F> = { ex, priority: ex.priority ?? 0, resolve, reject };
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1].priority > q.priority) at--;
      this.queue.splice(at, 0, q);
      this.pump();
    });
  }

  /** Sends `bytes`, resolves with the matching reply (or null when `matches` is null, once written). */
  async request(bytes: Buffer, matches: ((f: F) => boolean) | null, timeoutMs: number, label: string): Promise<F | null> {
    let got: F | null = null;
    const take = matches
      ? (f: F): boolean => {
          if (!matches(f)) return false;
          got = f;
          return true;
        }
      : null;
    await this.send({ bytes, timeoutMs, label, take });
    return got;
  }

  /** Like `request`, for a request that must be answered. */
  async ask(bytes: Buffer, matches: (f: F) => boolean, timeoutMs: number, label: string): Promise<F> {
    const f = await this.request(bytes, matches, timeoutMs, label);
    if (f === null) throw new DeviceError('protocol', `${label}: no reply`);
    return f;
  }

  receive(chunk: Buffer): void {
    for (const ev of this.decoder.push(chunk)) {
      switch (ev.type) {
        case 'frame': {
          this.hooks.heard?.(ev.frame);
          const take = this.current?.q.ex.take;
          if (take && take(ev.frame)) this.finish(null);
          else this.hooks.stray?.(ev.frame);
          break;
        }
        case 'checksum': {
          const ex = this.current?.q.ex;
          if (ex?.take && !ex.outlivesChecksum) this.finish(new DeviceError('checksum', `${ex.label}: the reply had a bad checksum`));
          this.hooks.noise?.('checksum', ev.bytes);
          break;
        }
        case 'garbage':
          this.hooks.noise?.('garbage', ev.bytes);
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
      cur.q.reject(err);
    }
    for (const q of this.queue.splice(0)) q.reject(err);
    this.decoder.reset();
  }

  /** Sends the next request if the wire is free and the transport is up. */
  pump(): void {
    if (this.current || !this.transport.isOpen) return;
    const q = this.queue.shift();
    if (!q) return;
    const { ex } = q;
    const cur: { q: Queued<F>; timer: TimerHandle | null } = { q, timer: null };
    this.current = cur;
    if (ex.take) {
      cur.timer = this.clock.setTimeout(() => {
        if (this.current !== cur) return;
        const err = ex.timedOut ? ex.timedOut() : new DeviceError('timeout', `${ex.label}: no reply within ${ex.timeoutMs} ms`);
        if (err && this.resetOnTimeout) this.decoder.reset();
        this.finish(err);
      }, ex.timeoutMs);
    }
    ex.onSent?.();
    this.transport.write(ex.bytes).then(
      () => {
        if (this.current === cur && !ex.take) this.finish(null);
      },
      (e: unknown) => {
        if (this.current !== cur) return;
        this.finish(e instanceof DeviceError ? e : new DeviceError('disconnected', `${ex.label}: write failed: ${String(e)}`));
      },
    );
  }

  private finish(err: DeviceError | null): void {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    if (cur.timer) this.clock.clearTimeout(cur.timer);
    if (err) cur.q.reject(err);
    else cur.q.resolve();
    this.pump();
  }
}
