import * as z from '../../src/core/zod.js';
import { baudRate, int, list, obj, oneOf, serialPath } from '../../src/core/config-rules.js';
import type { DoorSensor } from './cu16-state.js';

/**
 * `devices.locks` for Kerong CU16 boards on one RS-485 bus. The defaults here
 * are the driver's too (cu16-options.ts reads them), so the config file and a
 * driver built directly agree.
 */
export const CU16_DEFAULTS = {
  baudRate: 19200,
  pollIntervalMs: 40,
  replyTimeoutMs: 200,
  unlockConfirmMs: 1500,
  doorSensor: 'open-high',
} as const satisfies { doorSensor: DoorSensor } & Record<string, unknown>;

const DOOR_SENSORS = ['open-high', 'open-low', 'none'] as const satisfies readonly DoorSensor[];

/** The CU boards' addresses (0-15) in channel order, each once. */
export function boardAddresses(): z.ZodMiniArray<z.ZodMiniNumber<number>> {
  return list(int(0, 15), 'a non-empty list of board addresses 0 to 15, like [0, 1]').check(
    z.minLength(1),
    z.superRefine((boards, ctx) => {
      boards.forEach((b, i) => {
        const first = boards.indexOf(b);
        if (first !== i) ctx.addIssue({ code: 'custom', path: [i], message: `board ${b} is listed twice (also at [${first}])` });
      });
    }),
  );
}

/** The fields every per-board CU driver shares (CU16, CU48): the line, the boards, the timing. */
export function cuBusFields() {
  return {
    path: serialPath(),
    baudRate: z._default(baudRate(), CU16_DEFAULTS.baudRate),
    boards: boardAddresses(),
    pollIntervalMs: z._default(int(10, 10_000), CU16_DEFAULTS.pollIntervalMs),
    replyTimeoutMs: z._default(int(10, 10_000), CU16_DEFAULTS.replyTimeoutMs),
    unlockConfirmMs: z._default(int(100, 60_000), CU16_DEFAULTS.unlockConfirmMs),
  };
}

export const locksCu16Schema = () =>
  obj({
    driver: z.literal('cu16'),
    ...cuBusFields(),
    /** What a lock's sensor bit means: open-high (1 = open), open-low (1 = closed), none (no sensors wired). */
    doorSensor: z._default(oneOf(DOOR_SENSORS), CU16_DEFAULTS.doorSensor),
  });

export type LocksCu16Config = z.output<ReturnType<typeof locksCu16Schema>>;
