import type { Clock } from '../../src/core/clock.js';
import { DeviceError } from '../../src/core/errors.js';
import type { Edge, GpioChip, GpioPin, Level } from './port.js';

/**
 * An in-process GPIO chip behind the same GpioChip interface as the onoff
 * wrapper (the kernel gives no way to fake GPIO lines from user space). It
 * holds a level per line, records every output write with its time, and has
 * hooks for whatever sits on the other end of the wires: a simulated door
 * sets its reed-switch input, a simulated keypad computes column levels from
 * the rows being driven.
 */

/** One write to an output line, as recorded by the simulator. */
export interface GpioWrite {
  line: number;
  value: Level;
  /** Clock time of the write (ms). */
  at: number;
}

type Fault = { op: 'read' | 'write'; applied: boolean; error: Error };

interface Exported {
  direction: 'in' | 'out';
  edge: Edge;
  watchers: Set<{ listener: (value: Level) => void; onError: (err: Error) => void }>;
}

export class SimGpioChip implements GpioChip {
  readonly description = 'sim gpio';
  /** Every output write, oldest first. */
  readonly writes: GpioWrite[] = [];
  private readonly levels = new Map<number, Level>();
  private readonly exported = new Map<number, Exported>();
  private readonly faults = new Map<number, Fault[]>();
  private readonly writeListeners = new Set<(w: GpioWrite) => void>();
  private readonly muted = new Set<number>();

  constructor(private readonly clock: Clock) {}

  async output(line: number, initial: Level): Promise<GpioPin> {
    this.claim(line, { direction: 'out', edge: 'none', watchers: new Set() });
    this.record(line, initial);
    return this.pin(line);
  }

  async input(line: number, edge: Edge): Promise<GpioPin> {
    this.claim(line, { direction: 'in', edge, watchers: new Set() });
    if (!this.levels.has(line)) this.levels.set(line, 0);
    return this.pin(line);
  }

  // ---- hooks for the other end of the wires ----

  /** Sets an input line's level (a switch, a sensor). Wakes watchers on a matching edge. Works before export too. */
  setInput(line: number, level: Level): void {
    const e = this.exported.get(line);
    if (e?.direction === 'out') throw new Error(`sim gpio: line ${line} is an output; it cannot be set from outside`);
    const before = this.levels.get(line) ?? 0;
    this.levels.set(line, level);
    if (!e || before === level || this.muted.has(line)) return;
    const rising = level === 1;
    if (e.edge === 'both' || (e.edge === 'rising' && rising) || (e.edge === 'falling' && !rising)) {
      for (const w of [...e.watchers]) w.listener(level);
    }
  }

  /** The level a line is at now (driven by an output, or set on an input); undefined when never touched. */
  level(line: number): Level | undefined {
    return this.levels.get(line);
  }

  /** Whether a line is exported now, and which way. */
  direction(line: number): 'in' | 'out' | null {
    return this.exported.get(line)?.direction ?? null;
  }

  /** Calls `listener` after every output write (after the level changed). Returns the unsubscribe. */
  onWrite(listener: (w: GpioWrite) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /**
   * Makes the next read or write on `line` throw `error`. With `applied`, a
   * write takes effect before throwing (an I/O error reported after the pin
   * already changed), which is the worst case for a relay.
   */
  failNext(line: number, op: 'read' | 'write', error = new Error('EIO: i/o error'), applied = false): void {
    const list = this.faults.get(line) ?? [];
    list.push({ op, applied, error });
    this.faults.set(line, list);
  }

  /** Stops (or restarts) edge delivery on `line`: the level still changes, watchers are not told (a missed interrupt). */
  muteEdges(line: number, muted = true): void {
    if (muted) this.muted.add(line);
    else this.muted.delete(line);
  }

  /** Makes every watcher on `line` see a watch error (e.g. epoll failure). */
  failWatch(line: number, error: Error): void {
    for (const w of [...(this.exported.get(line)?.watchers ?? [])]) w.onError(error);
  }

  // ---- internals ----

  private claim(line: number, e: Exported): void {
    if (!Number.isInteger(line) || line < 0) throw new DeviceError('not-found', `GPIO ${line} is not a line number`, 'gpio');
    if (this.exported.has(line)) throw new DeviceError('busy', `GPIO ${line} is in use by another driver`, 'gpio');
    this.exported.set(line, e);
  }

  private takeFault(line: number, op: 'read' | 'write'): Fault | undefined {
    const list = this.faults.get(line);
    const i = list?.findIndex((f) => f.op === op) ?? -1;
    if (!list || i < 0) return undefined;
    return list.splice(i, 1)[0];
  }

  private record(line: number, value: Level): void {
    this.levels.set(line, value);
    const w = { line, value, at: this.clock.now() };
    this.writes.push(w);
    for (const l of [...this.writeListeners]) l(w);
  }

  private pin(line: number): GpioPin {
    const live = (): Exported => {
      const e = this.exported.get(line);
      if (!e) throw new Error(`sim gpio: line ${line} is not exported`);
      return e;
    };
    let released = false;
    return {
      line,
      read: (): Level => {
        live();
        const fault = this.takeFault(line, 'read');
        if (fault) throw fault.error;
        return this.levels.get(line) ?? 0;
      },
      write: (value: Level): void => {
        if (live().direction !== 'out') throw new Error(`sim gpio: line ${line} is an input`);
        const fault = this.takeFault(line, 'write');
        if (fault?.applied) this.record(line, value);
        if (fault) throw fault.error;
        this.record(line, value);
      },
      watch: (listener, onError) => {
        const w = { listener, onError };
        live().watchers.add(w);
        return () => {
          this.exported.get(line)?.watchers.delete(w);
        };
      },
      unexport: (): void => {
        if (released) return;
        released = true;
        this.exported.delete(line);
      },
    };
  }
}
