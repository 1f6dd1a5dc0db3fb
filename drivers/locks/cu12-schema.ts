import * as z from '../../src/core/zod.js';

/**
 * `devices.locks` for Kerong CU12 boards (driver `cu12`). The driver's own
 * schema, composed into the config by src/config. Messages name what is
 * allowed, as the rest of the config does ("<path>: must be …").
 */
const must = (phrase: string) => (iss: { input?: unknown }): string =>
  iss.input === undefined ? `is required: ${phrase}` : `must be ${phrase}, not ${JSON.stringify(iss.input) ?? typeof iss.input}`;

const int = (min: number, max: number): z.ZodMiniNumber<number> =>
  z.number({ error: must(`a whole number from ${min} to ${max}`) }).check(z.int(), z.minimum(min), z.maximum(max));

export const locksCu12Schema = () =>
  z.strictObject(
    {
      driver: z.literal('cu12'),
      path: z.string({ error: must('the serial device path, like /dev/ttyUSB0 or /dev/serial/by-id/…') }).check(z.minLength(1)),
      baudRate: z._default(int(110, 4_000_000), 19200),
      /** DIP addresses in channel order: [0, 1] → channels 1-12 on board 0, 13-24 on board 1. */
      boards: z.array(int(0, 15), { error: must('a non-empty list of board addresses 0 to 15, like [0, 1]') }).check(
        z.minLength(1),
        z.superRefine((boards, ctx) => {
          boards.forEach((b, i) => {
            const first = boards.indexOf(b);
            if (first !== i) ctx.addIssue({ code: 'custom', path: [i], message: `board ${b} is listed twice (also at [${first}])` });
          });
        }),
      ),
      pollIntervalMs: z._default(int(10, 10_000), 40),
      replyTimeoutMs: z._default(int(10, 10_000), 150),
      unlockConfirmMs: z._default(int(100, 60_000), 1500),
      /** Where the door state comes from: the lock's hook (default) or nowhere. The CU12's sensor inputs are item sensors. */
      doorSensor: z._default(z.enum(['hook', 'none'], { error: must('"hook" or "none"') }), 'hook'),
      /** Each board address adds this to the wait for the last answer to a bus-wide status request. */
      busSlotMs: z._default(int(0, 100), 10),
    },
    { error: must('an object') },
  );

export type LocksCu12Config = z.output<ReturnType<typeof locksCu12Schema>>;

