import * as z from '../../src/core/zod.js';

const int = (min: number, max: number): z.ZodMiniNumber<number> => z.number().check(z.int(), z.minimum(min), z.maximum(max));

/**
 * `devices.locks` for a Modbus RTU relay board. Plain zod (through src/core/zod.ts; drivers import
 * nothing from src/config). `{ "driver": "modbus", "path": "/dev/ttyUSB0",
 * "baudRate": 9600, "unitId": 1 }` is a whole config: channel n is coil n−1,
 * its door switch discrete input n−1.
 */
export const locksModbusSchema = () =>
  z
    .strictObject({
      driver: z.literal('modbus'),
      path: z.string().check(z.minLength(1, 'must be a serial device path, like /dev/ttyUSB0')),
      baudRate: z._default(z.number().check(z.int(), z.positive()), 9600),
      unitId: z._default(int(1, 247), 1),
      pulseMs: z._default(int(100, 25_500), 500),
      /** `waveshare`: board-timed flash pulses; `generic`: coil on/off timed by the kiosk. */
      board: z._default(z.enum(['waveshare', 'generic']), 'waveshare'),
      /** Channels 1…n when there is no map. */
      channels: z._default(int(1, 256), 16),
      /** Fail-safe locks (magnetic locks): energised while locked, released by a pulse off. A map entry's own `failSafe` wins. */
      failSafe: z._default(z.boolean(), false),
      /** Channel → { coil, input, failSafe } (0-based; input null or left out: no door switch; failSafe left out: the bank's). */
      map: z.optional(
        z.record(
          z.string().check(z.regex(/^[1-9]\d{0,3}$/, 'keys must be channel numbers like "1"')),
          z.strictObject({ coil: int(0, 255), input: z._default(z.nullable(int(0, 1999)), null), failSafe: z.optional(z.boolean()) }),
        ),
      ),
      doorOpenValue: z._default(z.union([z.literal(0), z.literal(1)]), 1),
      pollIntervalMs: z._default(int(10, 10_000), 50),
      replyTimeoutMs: z._default(int(10, 10_000), 200),
      unlockConfirmMs: z._default(int(100, 60_000), 1500),
    })
    .check(
      z.superRefine((c, ctx) => {
        const seen = new Map<number, string>();
        for (const [ch, w] of Object.entries(c.map ?? {})) {
          const first = seen.get(w.coil);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['map', ch, 'coil'], message: `coil ${w.coil} is also channel ${first}'s` });
          else seen.set(w.coil, ch);
        }
      }),
    );

export type LocksModbusConfig = z.output<ReturnType<typeof locksModbusSchema>>;

/** The driver's options from the config. */
export function modbusLocksOptions(c: LocksModbusConfig): import('../locks/modbus-options.js').ModbusLocksOptions {
  return {
    unitId: c.unitId,
    pulseMs: c.pulseMs,
    board: c.board,
    failSafe: c.failSafe,
    channels: c.channels,
    doorOpenValue: c.doorOpenValue,
    pollIntervalMs: c.pollIntervalMs,
    replyTimeoutMs: c.replyTimeoutMs,
    unlockConfirmMs: c.unlockConfirmMs,
    ...(c.map ? { map: Object.fromEntries(Object.entries(c.map).map(([k, w]) => [Number(k), w])) } : {}),
  };
}
