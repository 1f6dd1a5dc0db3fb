import * as z from '../../src/core/zod.js';
import { JPY_DENOMINATIONS } from './id003-options.js';

/**
 * `devices.cash` for a JCM ID-003 bill validator. Plain zod (through src/core/zod.ts; drivers import
 * nothing from src/config); the config loader puts the path in front of the messages.
 */
export const cashId003Schema = () =>
  z
    .strictObject({
      driver: z.literal('id003'),
      path: z.string().check(z.minLength(1, 'must be a serial device path, like /dev/ttyUSB0')),
      baudRate: z._default(z.number().check(z.int(), z.positive()), 9600),
      /** ISO 4217 code of the notes the validator's software takes. */
      currency: z._default(z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like JPY')), 'JPY'),
      /** Escrow code → minor units, e.g. { "0x61": 1000 }. Default: the JPY sheet (JPY only). */
      denominations: z.optional(z.record(z.string().check(z.regex(/^(0x[0-9a-fA-F]{1,2}|\d{1,3})$/, 'keys must be escrow codes like "0x61"')), z.number().check(z.int(), z.positive()))),
      pollIntervalMs: z._default(z.number().check(z.int(), z.minimum(20), z.maximum(5000)), 200),
      replyTimeoutMs: z._default(z.number().check(z.int(), z.minimum(20), z.maximum(5000)), 300),
    })
    .check(
      z.superRefine((c, ctx) => {
        if (!c.denominations && c.currency !== 'JPY') {
          ctx.addIssue({ code: 'custom', path: ['denominations'], message: `is required for ${c.currency}: the escrow codes of the validator's software sheet, like { "0x62": 500 }` });
        }
        for (const k of Object.keys(c.denominations ?? {})) {
          if (Number(k) > 0xff) ctx.addIssue({ code: 'custom', path: ['denominations', k], message: 'escrow codes are one byte (0x00-0xff)' });
        }
      }),
    );

export type CashId003Config = z.output<ReturnType<typeof cashId003Schema>>;

/** The escrow-code table the driver takes, from the config. */
export function denominationsOf(c: CashId003Config): Record<number, number> {
  if (!c.denominations) return { ...JPY_DENOMINATIONS };
  return Object.fromEntries(Object.entries(c.denominations).map(([k, v]) => [Number(k), v]));
}
