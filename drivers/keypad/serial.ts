import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { LineDecoder, type LineEvent } from '../serial/lines.js';
import { TransportHold } from '../serial/hold.js';
import type { ByteTransport } from '../serial/transport.js';
import { isKey, type Key, type Keypad, type KeypadEvents } from './contract.js';

export type SerialKeypadMode = 'byte' | 'line' | 'auto';

export interface SerialKeypadOptions {
  /**
   * `byte`: each byte is a key, sent as it is pressed (CR, LF, space, NUL ignored).
   * `line`: keys come in lines ended by CR/LF/CRLF (one key per line or a whole
   *   entry like `1234#`); a line is delivered when it ends, and a line holding
   *   anything but keys is dropped whole (its key order cannot be trusted).
   * `auto` (default): line mode as soon as a line ending is seen; byte mode if
   *   the first keys are followed by `autoDetectMs` of silence without one.
   */
  mode?: SerialKeypadMode;
  /** Auto mode: silence after a key that proves the keypad sends no line endings. Default 60 ms. */
  autoDetectMs?: number;
  /** Longest line (line mode). Default 64. */
  maxLineLength?: number;
}

const IGNORED_IN_BYTE_MODE = new Set([0x0d, 0x0a, 0x20, 0x00]);

/**
 * A keypad on a serial line. Only 0-9 * # are keys; anything else is dropped
 * with an `error` event that names the byte values but never the keys (keys
 * may be part of a code and never reach a message or a log).
 */
export class SerialKeypad extends TypedEmitter<KeypadEvents> implements Keypad {
  readonly name: string;
  private mode: 'byte' | 'line' | null;
  private readonly autoDetectMs: number;
  private readonly lines: LineDecoder;
  /** Auto mode, undecided: bytes held until a line ending or silence decides. */
  private held: Buffer[] = [];
  private autoTimer: TimerHandle | null = null;
  private readonly log: Log;
  private readonly hold: TransportHold;

  constructor(
    private readonly transport: ByteTransport,
    options: SerialKeypadOptions = {},
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
    this.name = `keypad:serial ${transport.description}`;
    const mode = options.mode ?? 'auto';
    this.mode = mode === 'auto' ? null : mode;
    this.autoDetectMs = options.autoDetectMs ?? 60;
    this.lines = new LineDecoder({ maxLength: options.maxLineLength ?? 64 });
    this.log = log.child({ module: 'keypad:serial' });
  }

  /** The mode in use: the configured one, or what auto detection settled on (null: not yet). */
  get detectedMode(): 'byte' | 'line' | null {
    return this.mode;
  }

  async open(): Promise<void> {
    if (!(await this.hold.open(this.name))) return;
  }

  async close(): Promise<void> {
    const was = this.hold.close();
    if (was === 'closed') return;
    this.clearAuto();
    if (was !== 'idle') await this.transport.close();
  }

  private receive(chunk: Buffer): void {
    if (!this.hold.isOpen) return;
    switch (this.mode) {
      case 'byte':
        this.bytes(chunk);
        return;
      case 'line':
        this.handleLines(this.lines.push(chunk));
        return;
      case null:
        this.detect(chunk);
        return;
      default: {
        const never: never = this.mode;
        return never;
      }
    }
  }

  private detect(chunk: Buffer): void {
    if (chunk.includes(0x0d) || chunk.includes(0x0a)) {
      this.settle('line');
      const held = Buffer.concat([...this.held, chunk]);
      this.held = [];
      this.handleLines(this.lines.push(held));
      return;
    }
    this.held.push(chunk);
    this.clearAuto();
    this.autoTimer = this.clock.setTimeout(() => {
      this.autoTimer = null;
      if (!this.hold.isOpen || this.mode !== null) return;
      this.settle('byte');
      const held = Buffer.concat(this.held);
      this.held = [];
      this.bytes(held);
    }, this.autoDetectMs);
  }

  private settle(mode: 'byte' | 'line'): void {
    this.clearAuto();
    this.mode = mode;
    this.log.info({ mode }, 'keypad mode detected');
  }

  private bytes(chunk: Buffer): void {
    const junk: number[] = [];
    for (const b of chunk) {
      const ch = String.fromCharCode(b);
      if (isKey(ch)) this.emit('key', ch);
      else if (!IGNORED_IN_BYTE_MODE.has(b)) junk.push(b);
    }
    if (junk.length) this.drop(`${junk.length} byte(s) that are not keys (${hexList(junk)})`);
  }

  private handleLines(events: LineEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'overflow':
          this.drop(`a line of ${ev.dropped} bytes, longer than the ${this.lines.maxLength}-byte limit`);
          break;
        case 'line': {
          const text = ev.line.toString('latin1').replace(/ /g, '');
          const keys: Key[] = [];
          const junk: number[] = [];
          for (const ch of text) {
            if (isKey(ch)) keys.push(ch);
            else junk.push(ch.charCodeAt(0));
          }
          if (junk.length) this.drop(`a line of ${ev.line.length} bytes holding ${junk.length} non-key byte(s) (${hexList(junk)})`);
          else for (const k of keys) this.emit('key', k);
          break;
        }
        default: {
          const never: never = ev;
          return never;
        }
      }
    }
  }

  private drop(what: string): void {
    this.log.warn({ what }, 'dropped keypad input');
    this.fault(new DeviceError('protocol', `dropped ${what}; check the keypad's baud rate and output mode`, this.name));
  }

  private lost(reason: string): void {
    this.clearAuto();
    this.held = [];
    this.lines.reset();
    this.log.warn({ reason }, 'keypad line lost');
    this.emit('disconnect', reason);
  }

  private back(): void {
    this.log.info('keypad line back');
    this.emit('reconnect');
  }

  private clearAuto(): void {
    if (this.autoTimer) this.clock.clearTimeout(this.autoTimer);
    this.autoTimer = null;
  }

  private fault(err: Error): void {
    if (this.hold.isClosed) return;
    this.emitError(err);
  }

}

function hexList(bytes: number[]): string {
  const shown = bytes.slice(0, 8).map((b) => `0x${b.toString(16).padStart(2, '0')}`);
  return shown.join(' ') + (bytes.length > 8 ? ' …' : '');
}
