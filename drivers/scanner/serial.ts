import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { LineDecoder, type LineEvent } from '../serial/lines.js';
import { TransportHold } from '../serial/hold.js';
import type { ByteTransport } from '../serial/transport.js';
import { splitAim } from './aim.js';
import type { Scanner, ScannerEvents } from './contract.js';

export interface SerialScannerOptions {
  /** Longest symbol kept (bytes); longer lines are dropped. Default 4096 (a full QR code). */
  maxLineLength?: number;
  /** `auto` (default): strip a known AIM prefix when present; `never`: keep the text as sent. */
  aim?: 'auto' | 'never';
  /**
   * For scanners set up without a suffix: end the symbol after this many ms of
   * silence. Default null (wait for CR/LF).
   */
  lineIdleMs?: number | null;
}

/**
 * Bytes that may appear inside symbol data: GS1 uses GS (0x1d) as FNC1, and
 * ISO/IEC 15434 envelopes use RS (0x1e) and EOT (0x04). Tab is text.
 */
const ALLOWED_CONTROLS = new Set([0x04, 0x09, 0x1d, 0x1e]);

/**
 * A serial (or USB-CDC) barcode scanner that sends one symbol per line, with
 * or without an AIM symbology prefix. A line that is not text (bad UTF-8,
 * control bytes) is dropped with an `error` event; its content never reaches
 * an error message or a log, since a symbol may carry a pickup code.
 */
export class SerialScanner extends TypedEmitter<ScannerEvents> implements Scanner {
  readonly name: string;
  private readonly lines: LineDecoder;
  private readonly aim: 'auto' | 'never';
  private readonly idleMs: number | null;
  private idleTimer: TimerHandle | null = null;
  private readonly log: Log;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private readonly hold: TransportHold;

  constructor(
    private readonly transport: ByteTransport,
    options: SerialScannerOptions = {},
    private readonly clock: Clock = systemClock,
    log: Log = silentLog,
  ) {
    super();
    this.hold = new TransportHold(transport, {
      data: (chunk) => this.receive(chunk),
      lost: (reason) => this.lost(reason),
      back: () => this.back(),
      fault: (err) => this.fault(err),
    });
    this.name = `scanner:serial ${transport.description}`;
    this.lines = new LineDecoder({ maxLength: options.maxLineLength ?? 4096 });
    this.aim = options.aim ?? 'auto';
    this.idleMs = options.lineIdleMs ?? null;
    this.log = log.child({ module: 'scanner:serial' });
  }

  async open(): Promise<void> {
    if (!(await this.hold.open(this.name))) return;
  }

  async close(): Promise<void> {
    const was = this.hold.close();
    if (was === 'closed') return;
    this.clearIdle();
    if (was !== 'idle') await this.transport.close();
  }

  private receive(chunk: Buffer): void {
    if (!this.hold.isOpen) return;
    this.handle(this.lines.push(chunk));
    if (this.idleMs !== null && this.lines.pending > 0) {
      this.clearIdle();
      this.idleTimer = this.clock.setTimeout(() => {
        this.idleTimer = null;
        if (this.hold.isOpen) this.handle(this.lines.flush());
      }, this.idleMs);
    }
  }

  private handle(events: LineEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'overflow':
          this.drop(`a line of ${ev.dropped} bytes is longer than the ${this.lines.maxLength}-byte limit`);
          break;
        case 'line':
          this.line(ev.line);
          break;
        default: {
          const never: never = ev;
          return never;
        }
      }
    }
  }

  private line(bytes: Buffer): void {
    const bad = bytes.findIndex((b) => (b < 0x20 && !ALLOWED_CONTROLS.has(b)) || b === 0x7f);
    if (bad >= 0) {
      this.drop(`a ${bytes.length}-byte line holds control byte 0x${bytes[bad].toString(16).padStart(2, '0')} at ${bad}`);
      return;
    }
    let text: string;
    try {
      text = this.utf8.decode(bytes);
    } catch {
      this.drop(`a ${bytes.length}-byte line is not valid UTF-8`);
      return;
    }
    const { symbology, text: data } = this.aim === 'auto' ? splitAim(text) : { symbology: null, text };
    if (data.length === 0) {
      this.drop(`a line held only the symbology identifier ${symbology ?? ''}`);
      return;
    }
    this.emit('read', { text: data, symbology });
  }

  private drop(why: string): void {
    this.log.warn({ why }, 'dropped a scanner line');
    this.fault(new DeviceError('protocol', `dropped ${why}; check the scanner's interface settings (baud rate, suffix CR/LF)`, this.name));
  }

  private lost(reason: string): void {
    this.clearIdle();
    this.lines.reset();
    this.log.warn({ reason }, 'scanner line lost');
    this.emit('disconnect', reason);
  }

  private back(): void {
    this.log.info('scanner line back');
    this.emit('reconnect');
  }

  private clearIdle(): void {
    if (this.idleTimer) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private fault(err: Error): void {
    if (this.hold.isClosed) return;
    this.emitError(err);
  }

}
