import { z } from 'zod';

const int = (min: number, max: number): z.ZodNumber => z.number().int().min(min).max(max);

/**
 * `devices.locks` for a Modbus RTU relay board. Plain zod (drivers import
 * nothing from src/config). `{ "driver": "modbus", "path": "/dev/ttyUSB0",
 * "baudRate": 9600, "unitId": 1 }` is a whole config: channel n is coil n−1,
 * its door switch discrete input n−1.
 */
export const locksModbusSchema = () =>
  z
    .strictObject({
      driver: z.literal('modbus'),
      path: z.string().min(1, 'must be a serial device path, like /dev/ttyUSB0'),
      baudRate: z.number().int().positive().default(9600),
      unitId: int(1, 247).default(1),
      pulseMs: int(100, 25_500).default(500),
      /** `waveshare`: board-timed flash pulses; `generic`: coil on/off timed by the kiosk. */
      board: z.enum(['waveshare', 'generic']).default('waveshare'),
      /** Channels 1…n when there is no map. */
      channels: int(1, 256).default(16),
      /** Fail-safe locks (magnetic locks): energised while locked, released by a pulse off. A map entry's own `failSafe` wins. */
      failSafe: z.boolean().default(false),
      /** Channel → { coil, input, failSafe } (0-based; input null or left out: no door switch; failSafe left out: the bank's). */
      map: z
        .record(
          z.string().regex(/^[1-9]\d{0,3}$/, 'keys must be channel numbers like "1"'),
          z.strictObject({ coil: int(0, 255), input: int(0, 1999).nullable().default(null), failSafe: z.boolean().optional() }),
        )
        .optional(),
      doorOpenValue: z.union([z.literal(0), z.literal(1)]).default(1),
      pollIntervalMs: int(10, 10_000).default(50),
      replyTimeoutMs: int(10, 10_000).default(200),
      unlockConfirmMs: int(100, 60_000).default(1500),
    })
    .superRefine((c, ctx) => {
      const seen = new Map<number, string>();
      for (const [ch, w] of Object.entries(c.map ?? {})) {
        const first = seen.get(w.coil);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['map', ch, 'coil'], message: `coil ${w.coil} is also channel ${first}'s` });
        else seen.set(w.coil, ch);
      }
    });

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
