import type { Clock } from '../../src/core/clock.js';
import type { Channel, LockState } from './contract.js';

/**
 * Where a channel's door state comes from: the sensor bit (1 = door open, or
 * 1 = door closed), the lock's own hook (latch released = door open, for
 * self-latching locks whose latch catches only when the door is shut), or
 * nowhere (doorOpen null).
 */
export type DoorSensor = 'open-high' | 'open-low' | 'hook' | 'none';

/** How a board's two bit groups are read. */
export interface BitMeaning {
  door: DoorSensor;
  /** The second bit group is infrared item sensors (CU12), not door switches. */
  items: boolean;
}

/** Bit `bit` of `bits`, by arithmetic: a CU48 board's 48 bits do not fit JavaScript's 32-bit shifts. */
export function bitSet(bits: number, bit: number): boolean {
  return Math.floor(bits / 2 ** bit) % 2 === 1;
}

/** Hook bit 1 = latched (locked). */
export function lockedFromBits(hooks: number, bit: number): boolean {
  return bitSet(hooks, bit);
}

/** The door of lock `bit` (0-based) as the reading reports it; null when nothing senses it. */
export function doorFromBits(hooks: number, sensors: number, bit: number, mode: DoorSensor): boolean | null {
  const v = bitSet(sensors, bit);
  switch (mode) {
    case 'open-high':
      return v;
    case 'open-low':
      return !v;
    case 'hook':
      return !lockedFromBits(hooks, bit);
    case 'none':
      return null;
    default: {
      const never: never = mode;
      return never;
    }
  }
}

/** Item sensor bit 1 = something inside; null when the bits are not item sensors. */
export function itemFromBits(sensors: number, bit: number, meaning: BitMeaning): boolean | null {
  return meaning.items ? bitSet(sensors, bit) : null;
}

export function lockStateFromBits(channel: Channel, bit: number, hooks: number, sensors: number, meaning: BitMeaning): LockState {
  return {
    channel,
    locked: lockedFromBits(hooks, bit),
    doorOpen: doorFromBits(hooks, sensors, bit, meaning.door),
    itemPresent: itemFromBits(sensors, bit, meaning),
  };
}

export type Change = { kind: 'door' | 'lock' | 'item'; channel: Channel; value: boolean };

/**
 * What was last reported per channel, so each change is reported once. The
 * first reading of a channel is the baseline (no change). Values survive a
 * board going silent or the line going down, so what changed meanwhile is
 * reported when readings come back.
 */
export class ChangeTracker {
  private readonly last = new Map<string, boolean>();

  /**
   * Takes a board's bits (`firstChannel` = its lock 1, `count` locks) and
   * returns the changes: locks, then items, then doors, so whoever hears a
   * door close already knows what is inside.
   */
  apply(firstChannel: Channel, count: number, hooks: number, sensors: number, meaning: BitMeaning): Change[] {
    const changes: Change[] = [];
    const order: Array<Change['kind']> = ['lock', 'item', 'door'];
    for (const kind of order) {
      for (let bit = 0; bit < count; bit++) {
        const channel = firstChannel + bit;
        const value =
          kind === 'lock' ? lockedFromBits(hooks, bit) : kind === 'item' ? itemFromBits(sensors, bit, meaning) : doorFromBits(hooks, sensors, bit, meaning.door);
        if (value === null) continue;
        const key = `${kind} ${channel}`;
        const before = this.last.get(key);
        this.last.set(key, value);
        if (before !== undefined && before !== value) changes.push({ kind, channel, value });
      }
    }
    return changes;
  }
}

/**
 * Rate-limits reports of a repeated line fault: the first of a kind is
 * reported, then at most one per `intervalMs`, carrying how many were not.
 */
export class NoiseLimiter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** Returns the text to append (" (n more since the last report)") when this one should be reported, else null. */
  admit(kind: string): string | null {
    const now = this.clock.now();
    const last = this.last.get(kind);
    if (last && now - last.at < this.intervalMs) {
      last.suppressed++;
      return null;
    }
    this.last.set(kind, { at: now, suppressed: 0 });
    return last && last.suppressed > 0 ? ` (${last.suppressed} more since the last report)` : '';
  }
}
