import { z } from 'zod';

/** The longest relay pulse allowed: a solenoid held longer overheats, and a stuck-on lock is a security fault. */
export const MAX_PULSE_MS = 5000;

const level = z.union([z.literal(0), z.literal(1)]);

export const gpioRelaySchema = z.object({
  /** The bank channel (1-based) the flows use. */
  channel: z.number().int().min(1),
  /** GPIO line driving the relay (or MOSFET) for this lock. */
  relayGpio: z.number().int().min(0),
  /** GPIO line reading the door's reed switch. */
  doorGpio: z.number().int().min(0),
  /** true when the relay board switches on at a low level (most opto-isolated boards). */
  relayActiveLow: z.boolean().default(false),
  /** The level the door input reads when the door is open (1 for a normally-closed reed to ground with a pull-up). */
  doorOpenValue: level.default(1),
});

export const gpioLockConfigSchema = z
  .object({
    relays: z.array(gpioRelaySchema).min(1, 'at least one relay channel is needed'),
    /** How long the relay is energised per unlock. */
    pulseMs: z.number().int().min(10).max(MAX_PULSE_MS, `at most ${MAX_PULSE_MS} ms (a longer pulse overheats the solenoid)`).default(500),
    /** How long after the pulse starts the door may take to open before the unlock is `unconfirmed`. */
    confirmMs: z.number().int().min(100).max(60_000).default(2000),
    /** Quiet time on a door input before its level counts (reed switches bounce for ~20 ms). */
    debounceMs: z.number().int().min(0).max(1000).default(30),
    /** Door inputs are also read this often, in case an edge is missed. */
    pollMs: z.number().int().min(20).max(60_000).default(250),
  })
  .superRefine((cfg, ctx) => {
    const channels = new Set<number>();
    const lines = new Map<number, string>();
    cfg.relays.forEach((r, i) => {
      if (channels.has(r.channel)) {
        ctx.addIssue({ code: 'custom', path: ['relays', i, 'channel'], message: `channel ${r.channel} appears twice` });
      }
      channels.add(r.channel);
      for (const [key, line] of [['relayGpio', r.relayGpio], ['doorGpio', r.doorGpio]] as const) {
        const other = lines.get(line);
        if (other) {
          ctx.addIssue({ code: 'custom', path: ['relays', i, key], message: `GPIO ${line} is already used as ${other}` });
        }
        lines.set(line, `channel ${r.channel} ${key}`);
      }
    });
  });

/** The config as written (defaults optional). */
export type GpioLockConfig = z.input<typeof gpioLockConfigSchema>;
/** The config with defaults filled in. */
export type GpioLockSettings = z.output<typeof gpioLockConfigSchema>;
export type GpioRelaySettings = z.output<typeof gpioRelaySchema>;
