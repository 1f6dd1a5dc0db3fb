/**
 * An IC card / NFC reader through PC/SC. Takes its PC/SC stack as a
 * constructor argument (`open`, by default the pcsclite module) and:
 * - picks the reader whose name contains `reader`, else the first one;
 * - connects to a card when it arrives and emits `insert`, `remove` when it
 *   leaves (pending calls reject with CardError `removed`);
 * - runs one card operation at a time, each APDU with a timeout;
 * - on a lost reader or pcscd emits `disconnect` (pending calls reject with
 *   DeviceError `disconnected`), retries, and emits `reconnect` when back.
 */
import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { cardKindFromAtr } from './atr.js';
import { PcscError, type OpenPcsc, type PcscContext, type PcscProtocol, type PcscReaderHandle, type PcscReaderStatus } from './binding.js';
import { CardError, type CardInfo, type CardKind, type CardReader, type CardReaderEvents } from './contract.js';
import { OpQueue, type OpSignal } from './ops.js';
import { transmitError, withDeadline } from './pcsc-faults.js';
import { openPcscLite } from './pcsclite.js';
import * as session from './session.js';

export interface PcscCardReaderOptions {
  /** The PC/SC stack; default: the pcsclite module through pcscd. */
  open?: OpenPcsc;
  /** Use the reader whose name contains this; default: the first reader. */
  reader?: string;
  /** Protocol to connect with; default: whichever the card offers. */
  protocol?: PcscProtocol;
  clock?: Clock;
  log?: Log;
  /** Per APDU (default 5000 ms). */
  commandTimeoutMs?: number;
  /** How long open() waits for a matching reader (default 3000 ms). */
  openTimeoutMs?: number;
  /** Between attempts to reach pcscd again after it went away (default 2000 ms). */
  reconnectMs?: number;
  /** After an unclear transmit failure, how long to wait for the card's removal to show (default 1500 ms). */
  removalGraceMs?: number;
  /** Longest EF readFile accepts (default 8192 bytes). */
  maxFileBytes?: number;
}

interface CardSession {
  readonly reader: PcscReaderHandle;
  readonly info: CardInfo;
  /** Settles when the connect finished; rejects with why it could not. */
  ready: Promise<void>;
  announced: boolean;
  gone: boolean;
}

type State = 'idle' | 'opening' | 'open' | 'lost' | 'closed';

export class PcscCardReader extends TypedEmitter<CardReaderEvents> implements CardReader {
  readonly name: string;
  private readonly openPcsc: OpenPcsc;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly commandTimeoutMs: number;
  private readonly openTimeoutMs: number;
  private readonly reconnectMs: number;
  private readonly removalGraceMs: number;
  private readonly maxFileBytes: number;
  private state: State = 'idle';
  private ctx: PcscContext | undefined;
  /** Every reader the context reports, with its last status. */
  private readonly known = new Map<PcscReaderHandle, PcscReaderStatus | undefined>();
  private reader: PcscReaderHandle | undefined;
  private card: CardSession | undefined;
  private readonly ops = new OpQueue();
  /** Connects and disconnects of the native handle, in order. */
  private native: Promise<unknown> = Promise.resolve();
  private retryTimer: TimerHandle | undefined;
  private openWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(private readonly opts: PcscCardReaderOptions = {}) {
    super();
    this.openPcsc = opts.open ?? openPcscLite;
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.log ?? silentLog).child({ module: 'card:pcsc' });
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 5000;
    this.openTimeoutMs = opts.openTimeoutMs ?? 3000;
    this.reconnectMs = opts.reconnectMs ?? 2000;
    this.removalGraceMs = opts.removalGraceMs ?? 1500;
    this.maxFileBytes = opts.maxFileBytes ?? session.DEFAULT_MAX_FILE_BYTES;
    this.name = `card:pcsc ${opts.reader ? `"${opts.reader}"` : '(first reader)'}`;
  }

  /** The name of the reader in use, when there is one. */
  get readerName(): string | undefined {
    return this.reader?.name;
  }

  async open(): Promise<void> {
    if (this.state === 'closed') throw new DeviceError('closed', 'the reader was closed', this.name);
    if (this.state !== 'idle') return;
    this.state = 'opening';
    let ctx: PcscContext;
    try {
      ctx = await this.openPcsc();
    } catch (err) {
      if (this.state === 'opening') this.state = 'idle';
      throw err;
    }
    if (this.state !== 'opening') {
      ctx.close();
      throw new DeviceError('closed', 'the reader was closed while opening', this.name);
    }
    this.attach(ctx);
    if (!this.reader) {
      try {
        await this.waitForReader();
      } catch (err) {
        if (this.state === 'opening') {
          this.teardownContext();
          this.state = 'idle';
        }
        throw err;
      }
    }
    this.state = 'open';
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.retryTimer) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.openWaiter?.reject(new DeviceError('closed', 'the reader was closed while opening', this.name));
    this.ops.abortAll(new DeviceError('closed', 'the reader was closed', this.name));
    const card = this.card;
    this.card = undefined;
    if (card) {
      card.gone = true;
      // Leave the card reset (its PIN state dropped), but never wait long on a stuck stack.
      await withDeadline(this.clock, this.chainNative(() => card.reader.disconnect()), 2000, () => new Error('disconnect took too long')).catch(
        () => undefined,
      );
    }
    this.reader = undefined;
    this.teardownContext();
  }

  verifyPin(pin: string): Promise<void> {
    return this.run('iso7816', (tx) => session.verifyPin(tx, pin));
  }

  readFile(fileId: number): Promise<Buffer> {
    return this.run('iso7816', (tx) => session.readFile(tx, fileId, this.maxFileBytes));
  }

  updateFile(fileId: number, data: Buffer): Promise<void> {
    return this.run('iso7816', (tx) => session.updateFile(tx, fileId, data));
  }

  readNdefText(): Promise<string> {
    return this.run('ntag', (tx) => session.readNdefText(tx));
  }

  // --- reader and card tracking ---

  private attach(ctx: PcscContext): void {
    this.ctx = ctx;
    ctx.on('error', (err) => {
      if (ctx !== this.ctx || this.state === 'closed') return;
      this.lostContext(`the PC/SC service failed (${err.message})`);
    });
    ctx.on('reader', (r) => this.onReader(ctx, r));
  }

  private onReader(ctx: PcscContext, r: PcscReaderHandle): void {
    if (ctx !== this.ctx || this.state === 'closed') {
      r.close();
      return;
    }
    this.log.info({ reader: r.name }, 'PC/SC reader seen');
    this.known.set(r, undefined);
    r.on('error', (err) => this.log.warn({ reader: r.name, err: err.message }, 'PC/SC reader fault'));
    r.on('status', (s) => {
      this.known.set(r, s);
      if (r === this.reader) this.onStatus(r, s);
    });
    r.on('end', () => {
      this.known.delete(r);
      if (r === this.reader) this.lostReader(`reader "${r.name}" went away`);
    });
    if (!this.reader && this.matches(r.name)) this.adopt(r);
  }

  private matches(readerName: string): boolean {
    return this.opts.reader === undefined || readerName.includes(this.opts.reader);
  }

  private adopt(r: PcscReaderHandle): void {
    this.reader = r;
    this.log.info({ reader: r.name }, 'using PC/SC reader');
    const waiter = this.openWaiter;
    this.openWaiter = undefined;
    waiter?.resolve();
    if (this.state === 'lost') {
      this.state = 'open';
      this.fire('reconnect');
    }
    const last = this.known.get(r);
    if (last) this.onStatus(r, last);
  }

  private waitForReader(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.openWaiter = undefined;
        const seen = [...this.known.keys()].map((k) => `"${k.name}"`).join(', ') || 'none';
        reject(
          new DeviceError(
            'not-found',
            `no PC/SC reader ${this.opts.reader ? `named like "${this.opts.reader}"` : 'at all'} within ${this.openTimeoutMs} ms ` +
              `(readers seen: ${seen}); plug the reader in and check it with pcsc_scan`,
            this.name,
          ),
        );
      }, this.openTimeoutMs);
      this.openWaiter = {
        resolve: () => {
          this.clock.clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          this.clock.clearTimeout(timer);
          this.openWaiter = undefined;
          reject(e);
        },
      };
    });
  }

  private onStatus(r: PcscReaderHandle, s: PcscReaderStatus): void {
    const card = this.card;
    if (card && (!s.present || !card.info.atr.equals(s.atr))) this.cardLeft(`the card was removed from "${r.name}"`);
    if (s.present && !this.card) this.cardArrived(r, s.atr);
  }

  private cardArrived(r: PcscReaderHandle, atr: Buffer): void {
    const info: CardInfo = { reader: r.name, atr: Buffer.from(atr), kind: cardKindFromAtr(atr) };
    const card: CardSession = { reader: r, info, ready: Promise.resolve(), announced: false, gone: false };
    this.card = card;
    card.ready = this.chainNative(() => r.connect(this.opts.protocol ?? 'any')).then(
      (protocol) => {
        if (card.gone || this.card !== card) return;
        card.announced = true;
        this.log.info({ reader: r.name, kind: info.kind, protocol }, 'card inserted');
        this.fire('insert', info);
      },
      (err: PcscError) => {
        const e = new DeviceError('device-error', `the card on "${r.name}" could not be connected: ${err.message}`, this.name);
        if (!card.gone) this.fault(e);
        throw e;
      },
    );
    card.ready.catch(() => undefined); // failures reach callers through run()
  }

  private cardLeft(reason: string): void {
    const card = this.card;
    if (!card) return;
    this.card = undefined;
    card.gone = true;
    this.ops.abortAll(new CardError('removed', reason));
    if (card.announced) {
      this.log.info({ reader: card.info.reader }, 'card removed');
      this.fire('remove', card.info.reader);
    }
    // Drop the native card handle so the next card gets a fresh connect.
    void this.chainNative(() => card.reader.disconnect()).catch(() => undefined);
  }

  private lostReader(reason: string): void {
    const card = this.card;
    this.card = undefined;
    this.reader = undefined;
    if (card) card.gone = true;
    this.ops.abortAll(new DeviceError('disconnected', reason, this.name));
    if (card?.announced) this.fire('remove', card.info.reader);
    if (this.state === 'open') {
      this.state = 'lost';
      this.log.warn({ reason }, 'card reader disconnected');
      this.fire('disconnect', reason);
    }
    // Another matching reader may already be there.
    for (const r of this.known.keys()) {
      if (this.matches(r.name)) {
        this.adopt(r);
        break;
      }
    }
  }

  private lostContext(reason: string): void {
    if (this.reader) this.lostReader(reason);
    this.teardownContext();
    if (this.state === 'opening') {
      this.openWaiter?.reject(new DeviceError('not-found', reason, this.name));
      return;
    }
    this.scheduleRetry();
  }

  private teardownContext(): void {
    for (const r of this.known.keys()) r.close();
    this.known.clear();
    const ctx = this.ctx;
    this.ctx = undefined;
    ctx?.close();
  }

  private scheduleRetry(): void {
    if (this.state === 'closed' || this.retryTimer) return;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.retry();
    }, this.reconnectMs);
  }

  private async retry(): Promise<void> {
    try {
      const ctx = await this.openPcsc();
      if (this.state === 'closed') {
        ctx.close();
        return;
      }
      this.attach(ctx);
    } catch (err) {
      this.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'PC/SC still unavailable');
      this.scheduleRetry();
    }
  }

  // --- operations ---

  private run<T>(kind: CardKind, fn: (tx: session.Transmit) => Promise<T>): Promise<T> {
    if (this.state === 'closed') return Promise.reject(new DeviceError('closed', 'the reader was closed', this.name));
    if (this.state === 'idle' || this.state === 'opening') {
      return Promise.reject(new DeviceError('closed', 'the reader is not open yet', this.name));
    }
    if (!this.reader) return Promise.reject(new DeviceError('disconnected', 'the card reader is not connected', this.name));
    const card = this.card;
    if (!card) return Promise.reject(new CardError('removed', `no card on "${this.reader.name}"`));
    if (card.info.kind !== kind) {
      const what = card.info.kind === 'ntag' ? 'an NFC tag, not an IC card' : 'an IC card, not an NFC tag';
      return Promise.reject(new CardError('unsupported', `the card on "${card.info.reader}" is ${what}`));
    }
    return this.ops.run(async (signal) => {
      await card.ready;
      return fn((command) => this.transmit(card, signal, command));
    });
  }

  private transmit(card: CardSession, signal: OpSignal, command: Buffer): Promise<Buffer> {
    if (signal.aborted) return Promise.reject(signal.reason ?? new CardError('removed', 'aborted'));
    if (card.gone) return Promise.reject(new CardError('removed', `the card was removed from "${card.info.reader}"`));
    const timeout = () => new DeviceError('timeout', `the card did not answer within ${this.commandTimeoutMs} ms`, this.name);
    const fail = (err: PcscError) => transmitError(err, card, this.clock, this.removalGraceMs, this.name).then((e) => Promise.reject(e));
    return withDeadline(this.clock, card.reader.transmit(command), this.commandTimeoutMs, timeout).then(
      // vpcd (and some readers) answer "success, no bytes" when the card vanished mid-command
      (response) => (response.length >= 2 ? response : fail(new PcscError('the card sent an answer without a status word'))),
      (err: unknown) => (err instanceof PcscError ? fail(err) : Promise.reject(err instanceof Error ? err : new Error(String(err)))),
    );
  }

  // --- helpers ---

  private chainNative<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.native.then(fn, fn);
    this.native = next.catch(() => undefined);
    return next;
  }

  private fire<K extends keyof CardReaderEvents>(event: K, ...args: CardReaderEvents[K]): void {
    if (this.state === 'closed') return;
    this.emit(event, ...args);
  }

  private fault(err: Error): void {
    if (this.state === 'closed' || !this.emitError(err)) this.log.warn({ err: err.message }, 'card reader fault');
  }
}
