import type { Clock, TimerHandle } from '../../src/core/clock.js';

/** A clock that moves only when told. `advance` fires due timers in order. */
export class FakeClock implements Clock {
  private t: number;
  private nextId = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.parse('2026-11-21T09:00:00Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let nextKey = -1;
      let nextAt = Infinity;
      for (const [k, v] of this.timers) {
        if (v.at <= end && (v.at < nextAt || (v.at === nextAt && k < nextKey))) {
          nextAt = v.at;
          nextKey = k;
        }
      }
      if (nextKey < 0) break;
      const timer = this.timers.get(nextKey)!;
      this.timers.delete(nextKey);
      this.t = Math.max(this.t, timer.at);
      timer.fn();
    }
    this.t = end;
  }

  pending(): number {
    return this.timers.size;
  }
}
