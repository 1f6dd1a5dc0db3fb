import type { Clock, TimerHandle } from '../../src/core/clock.js';
import { parseOptions } from '../../src/core/config-rules.js';
import { activeLevel, invert } from '../gpio/port.js';
import type { SimGpioChip } from '../gpio/sim.js';
import { isKey, type Key } from './contract.js';
import { matrixKeypadOptionsSchema, type MatrixKeypadConfig } from './matrix-schema.js';

/** One step of a hand on the keys: `after` ms after the one before, then `until` holds the next step back. */
interface Step {
  after: number;
  act: () => void;
  until?: () => boolean;
}

export interface PressOptions {
  /** How long each key is held (ms). */
  holdMs?: number;
  /** Time between keys (ms). */
  gapMs?: number;
  /** Contact bounce at each press and release (ms; 0 for clean contacts). */
  bounceMs?: number;
}

/**
 * A matrix keypad's switches on the far side of a SimGpioChip. Column levels
 * follow the rows being driven through whatever keys are down, including the
 * paths a real diode-less matrix has: with three keys down in an L, the
 * fourth corner reads as pressed (ghosting). Hooks: `press('1234#')`,
 * `down('5')`, `up('5')`; `typed` records every key pressed.
 */
export class MatrixKeypadSim {
  /** Every key press, in order. */
  readonly typed: Key[] = [];
  private readonly rows: number[];
  private readonly cols: number[];
  private readonly layout: string[];
  private readonly activeLow: boolean;
  private readonly downSet = new Set<number>(); // positions r * cols + c
  private readonly timers = new Set<TimerHandle>();
  private readonly unsubscribe: () => void;
  private readonly debounceMs: number;
  /** When the scanner last selected a row: the keypad reads the keys only then. */
  private lastScanAt = -Infinity;
  private scanWatch: ((at: number) => void) | null = null;

  constructor(
    private readonly chip: SimGpioChip,
    config: MatrixKeypadConfig,
    private readonly clock: Clock,
  ) {
    const s = parseOptions(matrixKeypadOptionsSchema(), config, 'keypad.matrix');
    this.rows = s.rows;
    this.cols = s.cols;
    this.layout = s.layout;
    this.activeLow = s.activeLow;
    this.debounceMs = s.debounceMs;
    this.unsubscribe = chip.onWrite((w) => {
      if (!this.rows.includes(w.line)) return;
      this.lastScanAt = this.clock.now();
      this.scanWatch?.(this.lastScanAt);
      this.update();
    });
    this.update();
  }

  /** Presses a key and keeps it down. */
  down(key: Key): void {
    this.downSet.add(this.position(key));
    this.update();
  }

  /** Releases a key. */
  up(key: Key): void {
    this.downSet.delete(this.position(key));
    this.update();
  }

  /**
   * Types `keys` one at a time on the clock; resolves after the last release.
   * Unknown characters are refused. Each step is timed from the one before,
   * as a person's hand is: a busy machine that runs the timers late delays
   * the keys but never shortens a hold or a gap, and each press and release
   * lasts until the keypad has scanned it for longer than its debounce time
   * (a person holds a key until it clicks; a machine too busy to scan would
   * miss a real press too, which is not what this tests).
   */
  press(keys: string, opts: PressOptions = {}): Promise<void> {
    const hold = opts.holdMs ?? 60;
    const gap = opts.gapMs ?? 60;
    const bounce = opts.bounceMs ?? 0;
    const list = [...keys];
    const bad = list.find((k) => !isKey(k));
    if (bad !== undefined) return Promise.reject(new Error(`sim keypad: "${bad}" is not a key`));
    const steps: Step[] = [];
    // After each change, wait (as well as the set time) until the scans that saw it span more than the debounce time.
    const settle = (after: number): Step[] => {
      let firstScan = Infinity;
      return [
        { after: 0, act: () => (this.scanWatch = (at) => (firstScan = Math.min(firstScan, at))) },
        { after, act: () => undefined, until: () => !this.scanning() || this.lastScanAt - firstScan > this.debounceMs },
        { after: 0, act: () => (this.scanWatch = null) },
      ];
    };
    for (const k of list as Key[]) {
      this.chatter(steps, k, bounce, true);
      steps.push({ after: 0, act: () => this.typed.push(k) }, ...settle(Math.max(0, hold - bounce)));
      this.chatter(steps, k, bounce, false);
      steps.push(...settle(Math.max(0, gap - bounce)));
    }
    return new Promise((resolve) => {
      const run = (i: number): void => {
        if (i === steps.length) {
          resolve();
          return;
        }
        const step = steps[i];
        this.later(step.after, () => {
          step.act();
          const wait = (): void => {
            if (!step.until || step.until()) run(i + 1);
            else this.later(1, wait);
          };
          wait();
        });
      };
      run(0);
    });
  }

  /** Whether a keypad drives the rows (it is open). */
  private scanning(): boolean {
    return this.rows.some((line) => this.chip.direction(line) === 'out');
  }

  dispose(): void {
    this.unsubscribe();
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Steps that toggle a key at uneven 1-3 ms steps for `bounce` ms (real
   * chatter is irregular), ending in `down`; the first comes `after` ms after
   * the step before.
   */
  private chatter(steps: Step[], k: Key, bounce: number, down: boolean, after = 0): void {
    let state = down;
    let prev = 0;
    let first = true;
    const add = (at: number, act: () => void): void => {
      steps.push({ after: (first ? Math.max(0, after) : 0) + at - prev, act });
      prev = at;
      first = false;
    };
    for (let t = 0, i = 0; t < bounce; t += 1 + (i++ % 3)) {
      const s = state;
      add(t, () => (s ? this.down(k) : this.up(k)));
      state = !state;
    }
    add(bounce, () => (down ? this.down(k) : this.up(k)));
  }

  /** Recomputes every column: pressed when joined through down keys to a selected row. */
  private update(): void {
    const select = activeLevel(this.activeLow); // a selected row is driven to the active level
    const nCols = this.cols.length;
    const rowSelected = this.rows.map((line) => this.chip.level(line) === select && this.chip.direction(line) === 'out');
    // Flood from the selected rows across down keys: row -> col -> row ...
    const colHit = new Array<boolean>(nCols).fill(false);
    const rowSeen = [...rowSelected];
    let frontier = rowSelected.flatMap((sel, r) => (sel ? [r] : []));
    while (frontier.length > 0) {
      const next: number[] = [];
      for (const r of frontier) {
        for (let c = 0; c < nCols; c++) {
          if (!this.downSet.has(r * nCols + c) || colHit[c]) continue;
          colHit[c] = true;
          for (let r2 = 0; r2 < this.rows.length; r2++) {
            if (!rowSeen[r2] && this.downSet.has(r2 * nCols + c)) {
              rowSeen[r2] = true;
              next.push(r2);
            }
          }
        }
      }
      frontier = next;
    }
    const pressed = activeLevel(this.activeLow);
    this.cols.forEach((line, c) => this.chip.setInput(line, colHit[c] ? pressed : invert(pressed)));
  }

  private position(key: Key): number {
    for (let r = 0; r < this.layout.length; r++) {
      const c = this.layout[r].indexOf(key);
      if (c >= 0) return r * this.cols.length + c;
    }
    throw new Error(`sim keypad: key ${key} is not in the layout`);
  }

  private later(ms: number, fn: () => void): void {
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
