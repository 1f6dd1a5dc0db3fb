import { z } from 'zod';
import { baudRate, bool, gpio, int, list, mustBe, nonEmpty, obj, serialPath, show } from './rules.js';

/**
 * The device section: one driver choice per device class. `sim` is the
 * in-process simulator; every other driver names real hardware.
 */

const sim = obj({ driver: z.literal('sim') });

/**
 * A union on `driver`. Zod reports an unknown driver at `<path>.driver`; the
 * message names the drivers this class has.
 */
function drivers<const O extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(
  names: readonly string[],
  options: O,
): z.ZodDiscriminatedUnion<O, 'driver'> {
  const list = names.join(', ');
  return z.discriminatedUnion('driver', options, {
    error: (iss) => {
      if (iss.code === 'invalid_union') {
        const input = iss.input;
        const driver = typeof input === 'object' && input !== null ? (input as { driver?: unknown }).driver : undefined;
        if (driver === undefined) return `is required: one of ${list}`;
        return typeof driver === 'string'
          ? `${show(driver)} is not one of ${list}`
          : `must be one of ${list}, not ${show(driver)}`;
      }
      return mustBe(`an object with "driver": one of ${list}`)(iss);
    },
  });
}

// ---- keypad ----

export const keypadSerialSchema = obj({
  driver: z.literal('serial'),
  path: serialPath(),
  baudRate: baudRate().default(9600),
});

const KEYPAD_KEYS = '0123456789*#';

export const keypadGpioMatrixSchema = obj({
  driver: z.literal('gpio-matrix'),
  rows: list(gpio(), 'a list of GPIO line numbers').min(1),
  cols: list(gpio(), 'a list of GPIO line numbers').min(1),
  layout: list(nonEmpty('a row of keys, like "123"'), 'a list of rows of keys, like ["123","456","789","*0#"]').default([
    '123',
    '456',
    '789',
    '*0#',
  ]),
  debounceMs: int(0, 1000).default(20),
  scanIntervalMs: int(1, 1000).default(5),
}).superRefine((k, ctx) => {
  // The layout is the key under each (row, col) crossing: its shape must match the wiring.
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
      if (!KEYPAD_KEYS.includes(ch)) {
        ctx.addIssue({
          code: 'custom',
          path: ['layout', i],
          message: `${show(row)} has ${show(ch)}: keys must be 0-9, * or #`,
        });
      }
    }
  });
  const lines = [...k.rows, ...k.cols];
  if (new Set(lines).size !== lines.length) {
    ctx.addIssue({ code: 'custom', path: ['cols'], message: 'a GPIO line is used twice across rows and cols' });
  }
});

export const keypadSchema = drivers(['sim', 'serial', 'gpio-matrix'], [sim, keypadSerialSchema, keypadGpioMatrixSchema]);

// ---- scanner ----

export const scannerSerialSchema = obj({
  driver: z.literal('serial'),
  path: serialPath(),
  baudRate: baudRate().default(9600),
});

export const scannerHidSchema = obj({
  driver: z.literal('hid'),
  vendorId: int(0, 65_535),
  productId: int(0, 65_535),
  /** A hidraw path, to pick one of several identical scanners. */
  path: nonEmpty('a hidraw device path, like /dev/hidraw0').optional(),
});

export const scannerSchema = drivers(['sim', 'serial', 'hid'], [sim, scannerSerialSchema, scannerHidSchema]);

// ---- locks ----

export const locksCu16Schema = obj({
  driver: z.literal('cu16'),
  path: serialPath(),
  baudRate: baudRate().default(19200),
  boards: list(int(0, 15), 'a non-empty list of board addresses 0 to 15, like [0, 1]')
    .min(1)
    .superRefine((boards, ctx) => {
      boards.forEach((b, i) => {
        const first = boards.indexOf(b);
        if (first !== i) ctx.addIssue({ code: 'custom', path: [i], message: `board ${b} is listed twice (also at [${first}])` });
      });
    }),
  pollIntervalMs: int(10, 10_000).default(40),
  replyTimeoutMs: int(10, 10_000).default(200),
  unlockConfirmMs: int(100, 60_000).default(1500),
});

export const gpioRelaySchema = obj({
  channel: int(1, 4096),
  relayGpio: gpio(),
  doorGpio: gpio(),
  relayActiveLow: bool().default(false),
  doorOpenValue: z
    .union([z.literal(0), z.literal(1)], { error: mustBe('0 or 1 (the door input value that means open)') })
    .default(1),
});

export const locksGpioSchema = obj({
  driver: z.literal('gpio'),
  pulseMs: int(10, 5000).default(500),
  relays: list(gpioRelaySchema, 'a non-empty list of relays').min(1),
}).superRefine((l, ctx) => {
  const seen = new Map<string, number>();
  l.relays.forEach((r, i) => {
    for (const [field, value] of [
      ['channel', r.channel],
      ['relayGpio', r.relayGpio],
    ] as const) {
      const key = `${field}:${value}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['relays', i, field],
          message: `${value} is also used by devices.locks.relays[${first}].${field}`,
        });
      } else {
        seen.set(key, i);
      }
    }
  });
});

export const locksSchema = drivers(['sim', 'cu16', 'gpio'], [sim, locksCu16Schema, locksGpioSchema]);

// ---- optional devices ----

export const fingerprintR30xSchema = obj({
  driver: z.literal('r30x'),
  path: serialPath(),
  baudRate: baudRate().default(57600),
  address: int(0, 0xffffffff).default(0xffffffff),
  password: int(0, 0xffffffff).default(0),
});

export const fingerprintSchema = drivers(['sim', 'r30x'], [sim, fingerprintR30xSchema]);

export const cardPcscSchema = obj({
  driver: z.literal('pcsc'),
  /** A reader name (or the start of one); without it the first reader is used. */
  reader: nonEmpty('a PC/SC reader name').optional(),
});

export const cardSchema = drivers(['sim', 'pcsc'], [sim, cardPcscSchema]);

export const cashSchema = drivers(['sim'], [sim]);

export const devicesSchema = obj({
  keypad: keypadSchema.prefault({ driver: 'sim' }),
  scanner: scannerSchema.prefault({ driver: 'sim' }),
  locks: locksSchema.prefault({ driver: 'sim' }),
  fingerprint: fingerprintSchema.nullable().default(null),
  card: cardSchema.nullable().default(null),
  cash: cashSchema.nullable().default(null),
});

export type SimDriverConfig = z.output<typeof sim>;
export type KeypadSerialConfig = z.output<typeof keypadSerialSchema>;
export type KeypadGpioMatrixConfig = z.output<typeof keypadGpioMatrixSchema>;
export type KeypadConfig = z.output<typeof keypadSchema>;
export type ScannerSerialConfig = z.output<typeof scannerSerialSchema>;
export type ScannerHidConfig = z.output<typeof scannerHidSchema>;
export type ScannerConfig = z.output<typeof scannerSchema>;
export type LocksCu16Config = z.output<typeof locksCu16Schema>;
export type GpioRelayConfig = z.output<typeof gpioRelaySchema>;
export type LocksGpioConfig = z.output<typeof locksGpioSchema>;
export type LocksConfig = z.output<typeof locksSchema>;
export type FingerprintR30xConfig = z.output<typeof fingerprintR30xSchema>;
export type FingerprintConfig = z.output<typeof fingerprintSchema>;
export type CardPcscConfig = z.output<typeof cardPcscSchema>;
export type CardConfig = z.output<typeof cardSchema>;
export type CashConfig = z.output<typeof cashSchema>;
export type DevicesConfig = z.output<typeof devicesSchema>;
