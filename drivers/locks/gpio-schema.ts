import * as z from '../../src/core/zod.js';
import { bool, gpio, int, list, mustBe, obj } from '../../src/core/config-rules.js';

/**
 * The GPIO lock bank's options: one schema for the config file
 * (`devices.locks` with `"driver": "gpio"`) and for the driver built directly.
 */

/** The longest relay pulse allowed: a solenoid held longer overheats, and a stuck-on lock is a security fault. */
export const MAX_PULSE_MS = 5000;

export const gpioRelaySchema = () =>
  obj({
    /** The bank channel (1-based) the flows use. */
    channel: int(1, 4096),
    /** GPIO line driving the relay (or MOSFET) for this lock. */
    relayGpio: gpio(),
    /** GPIO line reading the door's reed switch. */
    doorGpio: gpio(),
    /** true when the relay board switches on at a low level (most opto-isolated boards). */
    relayActiveLow: z._default(bool(), false),
    /** The level the door input reads when the door is open (1 for a normally-closed reed to ground with a pull-up). */
    doorOpenValue: z._default(z.union([z.literal(0), z.literal(1)], { error: mustBe('0 or 1 (the door input value that means open)') }), 1),
  });

const shape = () => ({
  /** How long the relay is energised per unlock. */
  pulseMs: z._default(int(10, MAX_PULSE_MS), 500),
  /** How long after the pulse starts the door may take to open before the unlock is `unconfirmed`. */
  confirmMs: z._default(int(100, 60_000), 2000),
  /** Quiet time on a door input before its level counts (reed switches bounce for ~20 ms). */
  debounceMs: z._default(int(0, 1000), 30),
  /** Door inputs are also read this often, in case an edge is missed. */
  pollMs: z._default(int(20, 60_000), 250),
  relays: list(gpioRelaySchema(), 'a non-empty list of relays').check(z.minLength(1, { error: 'needs at least one relay' })),
});

/** One lock per channel, one use per GPIO line (a relay line read as a door would open a door by itself). */
function check(l: { relays: Array<{ channel: number; relayGpio: number; doorGpio: number }> }, ctx: z.core.$RefinementCtx): void {
  const channels = new Map<number, number>();
  const lines = new Map<number, string>();
  l.relays.forEach((r, i) => {
    const first = channels.get(r.channel);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['relays', i, 'channel'], message: `${r.channel} is also used by relays[${first}].channel` });
    else channels.set(r.channel, i);
    for (const field of ['relayGpio', 'doorGpio'] as const) {
      const line = r[field];
      const other = lines.get(line);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['relays', i, field], message: `GPIO ${line} is also used by ${other}` });
      else lines.set(line, `relays[${i}].${field}`);
    }
  });
}

/** Builds the driver's options schema (GpioLockBank's constructor). */
export const gpioLockOptionsSchema = () => obj(shape()).check(z.superRefine(check));
/** Builds the config entry's schema. */
export const locksGpioSchema = () => obj({ driver: z.literal('gpio'), ...shape() }).check(z.superRefine(check));

/** The options as written (defaults optional). */
export type GpioLockConfig = z.input<ReturnType<typeof gpioLockOptionsSchema>>;
/** The options with defaults filled in. */
export type GpioLockSettings = z.output<ReturnType<typeof gpioLockOptionsSchema>>;
export type GpioRelaySettings = z.output<ReturnType<typeof gpioRelaySchema>>;
export type GpioRelayConfig = GpioRelaySettings;
export type LocksGpioConfig = z.output<ReturnType<typeof locksGpioSchema>>;
