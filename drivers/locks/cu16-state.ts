import type { Clock } from '../../src/clock.js';
import type { Channel, LockState } from './contract.js';

/** What a lock's sensor bit means: 1 = door open, 1 = door closed, or no sensors wired. */
export type DoorSensor = 'open-high' | 'open-low' | 'none';

/** The door as the sensor bit of lock `bit` (0-15) reports it; null when sensors are not wired. */
export function doorFromBits(sensors: number, bit: number, mode: DoorSensor): boolean | null {
  const v = ((sensors >> bit) & 1) === 1;
  switch (mode) {
    case 'open-high':
      return v;
    case 'open-low':
      return !v;
    case 'none':
      return null;
    default: {
      const never: never = mode;
      return never;
    }
  }
}

/** Hook bit 1 = latched (locked). */
export function lockedFromBits(hooks: number, bit: number): boolean {
  return ((hooks >> bit) & 1) === 1;
}

export function lockStateFromBits(channel: Channel, hooks: number, sensors: number, mode: DoorSensor): LockState {
  const bit = (channel - 1) % 16;
  return { channel, locked: lockedFromBits(hooks, bit), doorOpen: doorFromBits(sensors, bit, mode) };
}

export type Change = { kind: 'door' | 'lock'; channel: Channel; value: boolean };

/**
 * What was last reported per channel, so each change is reported once. The
 * first reading of a channel is the baseline (no change). Values survive a
 * board going silent or the line going down, so what changed meanwhile is
 * reported when readings come back.
 */
export class ChangeTracker {
  private readonly door: Array<boolean | null>;
  private readonly lock: Array<boolean | null>;

  constructor(channelCount: number) {
    this.door = Array.from({ length: channelCount }, () => null);
    this.lock = Array.from({ length: channelCount }, () => null);
  }

  /** Takes a board's bits (`firstChannel` = its lock 1) and returns the changes, locks before doors. */
  apply(firstChannel: Channel, hooks: number, sensors: number, mode: DoorSensor): Change[] {
    const changes: Change[] = [];
    for (let bit = 0; bit < 16; bit++) {
      const channel = firstChannel + bit;
      const i = channel - 1;
      const locked = lockedFromBits(hooks, bit);
      const before = this.lock[i];
      this.lock[i] = locked;
      if (before !== null && before !== undefined && before !== locked) changes.push({ kind: 'lock', channel, value: locked });
      const door = doorFromBits(sensors, bit, mode);
      if (door === null) continue;
      const was = this.door[i];
      this.door[i] = door;
      if (was !== null && was !== undefined && was !== door) changes.push({ kind: 'door', channel, value: door });
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
