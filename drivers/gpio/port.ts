/**
 * A tiny GPIO interface: what the lock bank and the matrix keypad need from a
 * line, and no more. onoff-port.ts implements it over the kernel's sysfs GPIO
 * (the only file that loads `onoff`); sim.ts implements it in process.
 *
 * Reads and writes are synchronous on purpose: a sysfs value file is a few
 * microseconds away, a matrix scan must set a row and read the columns without
 * another task running in between, and a relay-off in a `finally` block must
 * not wait for a later tick.
 */

/** A line's electrical level: 0 low, 1 high (before any active-low inversion, which drivers do themselves). */
export type Level = 0 | 1;

/** Which edges of an input wake `watch` listeners. */
export type Edge = 'none' | 'rising' | 'falling' | 'both';

/** One exported GPIO line. Every method may throw (EIO, the line was unexported); callers catch. */
export interface GpioPin {
  /** The kernel's GPIO number. */
  readonly line: number;
  /** Reads the level (for an output: the level it drives). */
  read(): Level;
  /** Drives an output; throws on an input. */
  write(value: Level): void;
  /**
   * Calls `listener` with the new level on each edge the pin was exported with.
   * `onError` gets watch failures (the line stays exported). Returns the unwatch.
   */
  watch(listener: (value: Level) => void, onError: (err: Error) => void): () => void;
  /** Stops every watch and releases the line. Safe to call twice. */
  unexport(): void;
}

/** Where lines come from: the kernel (onoff) or the in-process simulator. */
export interface GpioChip {
  /** For messages, e.g. `sysfs gpio` or `sim gpio`. */
  readonly description: string;
  /**
   * Exports `line` as an output already driving `initial`, so a relay never
   * twitches on while the line is being set up. Rejects with DeviceError
   * `busy` when the line is in use, `missing-module` when there is no GPIO.
   */
  output(line: number, initial: Level): Promise<GpioPin>;
  /** Exports `line` as an input whose `watch` listeners wake on `edge`. */
  input(line: number, edge: Edge): Promise<GpioPin>;
}

/** The level that means "on" for a signal wired active-high or active-low. */
export function activeLevel(activeLow: boolean): Level {
  return activeLow ? 0 : 1;
}

/** The other level. */
export function invert(level: Level): Level {
  return level === 1 ? 0 : 1;
}
