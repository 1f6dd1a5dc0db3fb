import { CU16_DEFAULTS } from './cu16-schema.js';
import type { DoorSensor } from './cu16-state.js';

/** Options of the Kerong CU boards (CU16; CU12 adds its own, see cu12-options.ts). */
export interface Cu16Options {
  /** DIP addresses (0-15) of the boards on the bus, in channel order: [0, 1] → channels 1-16 on 0, 17-32 on 1 (1-12, 13-24 for CU12). */
  boards: number[];
  /** Each board's status is read this often (ms). Default in cu16-schema.ts (40: a door change reaches `door` in < 100 ms). */
  pollIntervalMs?: number;
  /** How long to wait for a board's reply to one request (ms): the config's `replyTimeoutMs`, default in cu16-schema.ts. */
  commandTimeoutMs?: number;
  /** An unlock must be confirmed (lock released or door open) within this (ms). Default in cu16-schema.ts. */
  unlockConfirmMs?: number;
  /**
   * What a lock's sensor bit means: `open-high` (bit 1 = door open, the default),
   * `open-low` (bit 1 = door closed), `hook` (the lock's own latch: released = open;
   * the CU12 default, whose second bit group is item sensors), or `none`
   * (nothing senses the door: doorOpen is null).
   */
  doorSensor?: DoorSensor;
  /** A board is reported offline after this many polls in a row fail. Default 3. */
  missesBeforeOffline?: number;
  /**
   * An offline board is polled this often (ms), so its timeouts do not hold up
   * the bus for the boards that answer. Default 1000.
   */
  offlinePollMs?: number;
  /**
   * How long a poll of an offline board waits for a reply (ms). Default 40:
   * short, so a silent board holds the bus for no longer than one poll cycle
   * and the other boards' door changes still arrive within 100 ms. A board
   * that answers within it is back online (a late reply also counts).
   */
  offlineProbeTimeoutMs?: number;
  /** A repeated line fault (garbage, bad checksum) is reported at most once per this (ms). Default 5000. */
  noiseReportMs?: number;
}

export type ResolvedCu16Options = Required<Cu16Options>;

/** Fills in the defaults; a RangeError names what is wrong (config is validated before this, so this guards direct use). */
export function resolveCu16Options(options: Cu16Options, model = 'CU16', defaultDoor: DoorSensor = 'open-high'): ResolvedCu16Options {
  if (options.boards.length === 0) throw new RangeError(`${model}: boards must list at least one DIP address`);
  const seen = new Set<number>();
  for (const a of options.boards) {
    if (!Number.isInteger(a) || a < 0 || a > 15) throw new RangeError(`${model}: board address ${a} is outside 0-15`);
    if (seen.has(a)) throw new RangeError(`${model}: board address ${a} is listed twice`);
    seen.add(a);
  }
  const r: ResolvedCu16Options = {
    boards: [...options.boards],
    // The config file's defaults, from the one schema: a driver built directly behaves as configured.
    pollIntervalMs: options.pollIntervalMs ?? CU16_DEFAULTS.pollIntervalMs,
    commandTimeoutMs: options.commandTimeoutMs ?? CU16_DEFAULTS.replyTimeoutMs,
    unlockConfirmMs: options.unlockConfirmMs ?? CU16_DEFAULTS.unlockConfirmMs,
    doorSensor: options.doorSensor ?? defaultDoor,
    missesBeforeOffline: options.missesBeforeOffline ?? 3,
    offlinePollMs: options.offlinePollMs ?? 1000,
    offlineProbeTimeoutMs: options.offlineProbeTimeoutMs ?? 40,
    noiseReportMs: options.noiseReportMs ?? 5000,
  };
  for (const k of ['pollIntervalMs', 'commandTimeoutMs', 'unlockConfirmMs', 'missesBeforeOffline', 'offlinePollMs', 'offlineProbeTimeoutMs', 'noiseReportMs'] as const) {
    if (!Number.isFinite(r[k]) || r[k] <= 0) throw new RangeError(`${model}: ${k} must be a positive number, not ${r[k]}`);
  }
  return r;
}
