import * as z from '../../src/core/zod.js';
import { bool, gpio, int, list, nonEmpty, obj, show } from '../../src/core/config-rules.js';
import { isKey } from './contract.js';

/**
 * The matrix keypad's options: one schema for the config file
 * (`devices.keypad` with `"driver": "gpio-matrix"`) and for the driver built
 * directly, so the two cannot disagree on a default.
 */

export const DEFAULT_MATRIX_LAYOUT = ['123', '456', '789', '*0#'] as const;

function shape() {
  const lines = list(gpio(), 'a list of GPIO line numbers').check(
    z.minLength(1, { error: 'needs at least one GPIO line' }),
    z.maxLength(8, { error: 'at most 8 GPIO lines' }),
  );
  return {
    /** GPIO lines of the rows, top to bottom (driven one at a time). */
    rows: lines,
    /** GPIO lines of the columns, left to right (read). */
    cols: lines,
    /** One string per row, one character per column; a space is an unused position. */
    layout: z._default(list(nonEmpty('a row of keys, like "123"'), 'a list of rows of keys, like ["123","456","789","*0#"]'), [...DEFAULT_MATRIX_LAYOUT]),
    /** true (usual): a row is selected by driving it low, and a pressed key pulls its column low (pull-ups on the columns). */
    activeLow: z._default(bool(), true),
    /** How long the matrix must read the same before it counts (contacts bounce for a few ms). */
    debounceMs: z._default(int(0, 1000), 20),
    /** How often the whole matrix is scanned. */
    scanIntervalMs: z._default(int(1, 1000), 5),
  };
}

/** The layout is the key under each (row, col) crossing: its shape must match the wiring. */
function check(k: { rows: number[]; cols: number[]; layout: string[] }, ctx: z.core.$RefinementCtx): void {
  if (k.layout.length !== k.rows.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['layout'],
      message: `has ${k.layout.length} rows but ${k.rows.length} row GPIOs are configured: give one row of keys per row line`,
    });
  }
  k.layout.forEach((row, i) => {
    if ([...row].length !== k.cols.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['layout', i],
        message: `${show(row)} has ${[...row].length} keys but ${k.cols.length} column GPIOs are configured`,
      });
    }
    for (const ch of row) {
      if (ch !== ' ' && !isKey(ch)) {
        ctx.addIssue({ code: 'custom', path: ['layout', i], message: `${show(row)} has ${show(ch)}: keys must be 0-9, * or #, or a space for no key` });
      }
    }
  });
  const all = [...k.rows, ...k.cols];
  if (new Set(all).size !== all.length) {
    ctx.addIssue({ code: 'custom', path: ['cols'], message: 'a GPIO line is used twice across rows and cols' });
  }
}

/** Builds the driver's options schema (MatrixKeypad's constructor). */
export const matrixKeypadOptionsSchema = () => obj(shape()).check(z.superRefine(check));
/** Builds the config entry's schema. */
export const keypadGpioMatrixSchema = () => obj({ driver: z.literal('gpio-matrix'), ...shape() }).check(z.superRefine(check));

/** Options as written (defaults optional). */
export type MatrixKeypadConfig = z.input<ReturnType<typeof matrixKeypadOptionsSchema>>;
/** Options with the defaults filled in. */
export type MatrixKeypadSettings = z.output<ReturnType<typeof matrixKeypadOptionsSchema>>;
export type KeypadGpioMatrixConfig = z.output<ReturnType<typeof keypadGpioMatrixSchema>>;
