import type { Clock, TimerHandle } from '../../src/clock.js';
import { parseDriverConfig } from '../gpio/config.js';
import { activeLevel, invert } from '../gpio/port.js';
import type { SimGpioChip } from '../gpio/sim.js';
import { isKey, type Key } from './contract.js';
import { matrixKeypadConfigSchema, type MatrixKeypadConfig } from './matrix.js';

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

  constructor(
    private readonly chip: SimGpioChip,
    config: MatrixKeypadConfig,
    private readonly clock: Clock,
  ) {
    const s = parseDriverConfig(matrixKeypadConfigSchema, config, 'keypad.matrix');
    this.rows = s.rows;
    this.cols = s.cols;
    this.layout = s.layout;
    this.activeLow = s.activeLow;
    this.unsubscribe = chip.onWrite((w) => {
      if (this.rows.includes(w.line)) this.update();
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

  /** Types `keys` one at a time on the clock; resolves after the last release. Unknown characters are refused. */
  press(keys: string, opts: PressOptions = {}): Promise<void> {
    const hold = opts.holdMs ?? 60;
    const gap = opts.gapMs ?? 60;
    const bounce = opts.bounceMs ?? 0;
    const list = [...keys];
    const bad = list.find((k) => !isKey(k));
    if (bad !== undefined) return Promise.reject(new Error(`sim keypad: "${bad}" is not a key`));
    return new Promise((resolve) => {
      let t = 0;
      for (const k of list as Key[]) {
        this.chatter(k, t, bounce, true);
        this.later(t, () => this.typed.push(k));
        t += hold;
        this.chatter(k, t, bounce, false);
        t += gap;
      }
      this.later(t, resolve);
    });
  }

  dispose(): void {
    this.unsubscribe();
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  /** Toggles a key at uneven 1-3 ms steps for `bounce` ms from `at` (real chatter is irregular), ending in `down`. */
  private chatter(k: Key, at: number, bounce: number, down: boolean): void {
    let state = down;
    for (let t = 0, i = 0; t < bounce; t += 1 + (i++ % 3)) {
      const s = state;
      this.later(at + t, () => (s ? this.down(k) : this.up(k)));
      state = !state;
    }
    this.later(at + bounce, () => (down ? this.down(k) : this.up(k)));
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
