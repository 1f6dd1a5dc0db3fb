import { systemClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { parseOptions } from '../../src/core/config-rules.js';
import { activeLevel, invert, type GpioChip, type GpioPin, type Level } from '../gpio/port.js';
import { isKey, type Key, type Keypad, type KeypadEvents } from './contract.js';
import { matrixKeypadOptionsSchema, type MatrixKeypadConfig, type MatrixKeypadSettings } from './matrix-schema.js';

export { DEFAULT_MATRIX_LAYOUT, matrixKeypadOptionsSchema, type MatrixKeypadConfig } from './matrix-schema.js';

/** Consecutive failed scans before the keypad counts as gone. */
const FAILED_SCANS_TO_DISCONNECT = 3;

type Settings = MatrixKeypadSettings;

/**
 * A matrix keypad on GPIO, scanned on an injected clock: each row is selected
 * in turn and the columns are read; a reading counts once it has held for
 * `debounceMs`.
 *
 * A key is emitted once, when it becomes the only key down after all keys
 * were up: holding it emits nothing more, and two (or more) keys down at once
 * emit nothing. This is deliberate: a matrix without a diode per key "ghosts"
 * (three keys in an L make the fourth corner read as pressed), so any reading
 * with more than one key is ambiguous. A code is typed one key at a time.
 */
export class MatrixKeypad extends TypedEmitter<KeypadEvents> implements Keypad {
  readonly name: string;
  private readonly settings: Settings;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly keyAt: (Key | null)[];
  private rows: GpioPin[] = [];
  private cols: GpioPin[] = [];
  private timer: TimerHandle | null = null;
  private isOpen = false;
  /** The last raw reading and since when it has held. */
  private candidate = 0;
  private candidateSince = 0;
  /** The debounced reading. */
  private stable = 0;
  /** True once every key was seen up: the next lone key counts. */
  private armed = true;
  private failedScans = 0;
  private gone = false;

  constructor(
    private readonly chip: GpioChip,
    config: MatrixKeypadConfig,
    opts: { clock?: Clock; log?: Log; name?: string } = {},
  ) {
    super();
    this.settings = parseOptions(matrixKeypadOptionsSchema(), config, 'keypad.matrix');
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.log ?? silentLog).child({ mod: 'keypad:matrix' });
    this.name = opts.name ?? `keypad:matrix ${chip.description}`;
    this.keyAt = this.settings.layout.flatMap((row) => [...row].map((c) => (isKey(c) ? c : null)));
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const idle = this.idleLevel();
    try {
      for (const line of this.settings.rows) this.rows.push(await this.chip.output(line, idle));
      for (const line of this.settings.cols) this.cols.push(await this.chip.input(line, 'none'));
    } catch (e) {
      this.release();
      throw e instanceof DeviceError ? e : new DeviceError('device-error', `GPIO setup failed: ${(e as Error).message}`, this.name);
    }
    this.isOpen = true;
    this.candidate = this.stable = 0;
    this.candidateSince = this.clock.now();
    this.armed = true;
    this.schedule();
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.release();
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (!this.isOpen) return;
      this.tick();
      if (this.isOpen) this.schedule();
    }, this.settings.scanIntervalMs);
  }

  private tick(): void {
    let reading: number;
    try {
      reading = this.scan();
    } catch (e) {
      this.scanFailed(e as Error);
      return;
    }
    if (this.gone) {
      this.gone = false;
      this.safeEmit(() => this.emit('reconnect'));
    }
    this.failedScans = 0;
    const now = this.clock.now();
    if (reading !== this.candidate) {
      this.candidate = reading;
      this.candidateSince = now;
    }
    if (this.candidate === this.stable || now - this.candidateSince < this.settings.debounceMs) return;
    this.stable = this.candidate;
    if (this.stable === 0) {
      this.armed = true;
      return;
    }
    const lone = (this.stable & (this.stable - 1)) === 0;
    if (!lone || !this.armed) {
      this.armed = false;
      return;
    }
    this.armed = false;
    const key = this.keyAt[31 - Math.clz32(this.stable)];
    if (key) this.safeEmit(() => this.emit('key', key));
  }

  /** One pass over the matrix: a bit per position (row * cols + col) that reads pressed. */
  private scan(): number {
    const select = invert(this.idleLevel());
    const pressed: Level = activeLevel(this.settings.activeLow);
    const nCols = this.cols.length;
    let bits = 0;
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      try {
        row.write(select);
        for (let c = 0; c < nCols; c++) {
          if (this.cols[c].read() === pressed) bits |= 1 << (r * nCols + c);
        }
      } finally {
        row.write(this.idleLevel());
      }
    }
    return bits;
  }

  private scanFailed(err: Error): void {
    this.failedScans++;
    // A failed scan says nothing about the keys: forget the half-seen reading.
    this.candidate = this.stable;
    if (this.failedScans === 1) this.log.warn({ err: err.message }, 'keypad scan failed');
    if (this.failedScans === FAILED_SCANS_TO_DISCONNECT && !this.gone) {
      this.gone = true;
      const reason = `keypad GPIO lines cannot be read (${err.message}); retrying every ${this.settings.scanIntervalMs} ms`;
      this.safeEmit(() => this.emit('disconnect', reason));
    }
  }

  private idleLevel(): Level {
    return invert(activeLevel(this.settings.activeLow));
  }

  private release(): void {
    for (const pin of [...this.rows, ...this.cols]) {
      try {
        pin.unexport();
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'GPIO unexport failed');
      }
    }
    this.rows = [];
    this.cols = [];
  }

  /** A listener that throws must not stop the scan loop. */
  private safeEmit(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'a keypad listener threw');
    }
  }
}
