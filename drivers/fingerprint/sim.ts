import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import type { FingerprintEvents, FingerprintPad, MatchResult } from './contract.js';
import { CHAR_FILE_SIZE } from './r30x-codec.js';
import { MATCH_THRESHOLD, similarityScore } from './sim-score.js';

export interface SimFingerprintPadOptions {
  name?: string;
  /** How long verify/capture wait for a finger when the caller gives no timeout. Default 10 s. */
  fingerTimeoutMs?: number;
  clock?: Clock;
}

const DEVICE = 'fingerprint pad (sim)';

/**
 * An in-process fingerprint pad for the kiosk's `sim` mode (no wire). A finger
 * is a template: placeFinger(template) puts it on the pad (POST /sim/finger
 * `{ template }`), liftFinger() takes it off (`{ lift: true }`). It scores
 * like the R30x simulator: the same bytes match with score 200, anything else
 * does not match. unplug()/replug() play a lost and returned device.
 */
export class SimFingerprintPad extends TypedEmitter<FingerprintEvents> implements FingerprintPad {
  readonly name: string;
  /** What the pad was asked to do, in order. */
  readonly calls: ('verify' | 'capture')[] = [];
  private readonly fingerTimeoutMs: number;
  private readonly clock: Clock;
  private state: 'idle' | 'ready' | 'lost' | 'closed' = 'idle';
  private finger: Buffer | null = null;
  private busy = false;
  private wait: { resolve(t: Buffer): void; reject(e: DeviceError): void; timer: TimerHandle } | null = null;

  constructor(options: SimFingerprintPadOptions = {}) {
    super();
    this.name = options.name ?? 'fingerprint:sim';
    this.fingerTimeoutMs = options.fingerTimeoutMs ?? 10_000;
    this.clock = options.clock ?? systemClock;
  }

  async open(): Promise<void> {
    if (this.state === 'closed') throw new DeviceError('closed', 'the driver was closed; make a new one', DEVICE);
    if (this.state === 'idle') this.state = 'ready';
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.failWait(new DeviceError('closed', 'the driver was closed', DEVICE));
  }

  // ── script hooks ──

  /** A finger whose captured template is `template` is on the pad. */
  placeFinger(template: Buffer): void {
    const wasOn = this.finger !== null;
    this.finger = Buffer.from(template);
    if (this.state === 'ready' && !wasOn) this.emit('finger', true);
    const w = this.wait;
    if (w && this.state === 'ready') {
      this.wait = null;
      this.clock.clearTimeout(w.timer);
      w.resolve(this.finger);
    }
  }

  liftFinger(): void {
    const wasOn = this.finger !== null;
    this.finger = null;
    if (this.state === 'ready' && wasOn) this.emit('finger', false);
  }

  get fingerOnPad(): boolean {
    return this.finger !== null;
  }

  /** The device goes away: a pending call rejects `disconnected`, `disconnect` is emitted. */
  unplug(reason = 'unplugged'): void {
    if (this.state !== 'ready') return;
    this.state = 'lost';
    this.failWait(new DeviceError('disconnected', `lost the pad (${reason})`, DEVICE));
    this.emit('disconnect', reason);
  }

  replug(): void {
    if (this.state !== 'lost') return;
    this.state = 'ready';
    this.emit('reconnect');
  }

  // ── the contract ──

  async verify(template: Buffer, timeoutMs = this.fingerTimeoutMs): Promise<MatchResult> {
    if (template.length !== CHAR_FILE_SIZE) {
      throw new DeviceError(
        'protocol',
        `the reference template is ${template.length} bytes; an r30x-char file is ${CHAR_FILE_SIZE}`,
        DEVICE,
      );
    }
    const captured = await this.exclusive('verify', timeoutMs);
    const score = similarityScore(captured, template);
    return score >= MATCH_THRESHOLD ? { match: true, score } : { match: false, score: 0 };
  }

  async capture(timeoutMs = this.fingerTimeoutMs): Promise<Buffer> {
    const captured = await this.exclusive('capture', timeoutMs);
    if (captured.length !== CHAR_FILE_SIZE) {
      throw new DeviceError(
        'protocol',
        `the finger gave a ${captured.length}-byte template; expected ${CHAR_FILE_SIZE} (r30x-char)`,
        DEVICE,
      );
    }
    return captured;
  }

  private async exclusive(call: 'verify' | 'capture', timeoutMs: number): Promise<Buffer> {
    switch (this.state) {
      case 'ready':
        break;
      case 'idle':
        throw new DeviceError('closed', 'the pad is not open yet; call open() first', DEVICE);
      case 'lost':
        throw new DeviceError('disconnected', 'the pad is not connected', DEVICE);
      case 'closed':
        throw new DeviceError('closed', 'the driver was closed', DEVICE);
      default: {
        const never: never = this.state;
        return never;
      }
    }
    if (this.busy) throw new DeviceError('busy', 'another capture is in progress on this pad', DEVICE);
    this.calls.push(call);
    this.busy = true;
    try {
      return await this.waitForFinger(timeoutMs);
    } finally {
      this.busy = false;
    }
  }

  private waitForFinger(timeoutMs: number): Promise<Buffer> {
    if (this.finger) return Promise.resolve(Buffer.from(this.finger));
    return new Promise<Buffer>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.wait = null;
        reject(new DeviceError('timeout', `no finger on the pad within ${timeoutMs} ms`, DEVICE));
      }, timeoutMs);
      this.wait = { resolve: (t) => resolve(Buffer.from(t)), reject, timer };
    });
  }

  /** Ends the capture waiting for a finger, as the person walking away would. */
  cancel(): void {
    this.failWait(new DeviceError('timeout', 'the capture was cancelled', DEVICE));
  }

  private failWait(err: DeviceError): void {
    const w = this.wait;
    if (!w) return;
    this.wait = null;
    this.clock.clearTimeout(w.timer);
    w.reject(err);
  }
}
