export interface ModbusLocksOptions {
  /** The board's unit (slave) id, 1-247. */
  unitId: number;
  /**
   * Channel → the coil that drives its lock and the discrete input of its
   * door switch (null: no switch), both 0-based, and whether its lock is
   * fail-safe (default: `failSafe`). Without a map, channels 1…`channels`
   * are coil n−1 and input n−1.
   */
  map?: Record<number, { coil: number; input: number | null; failSafe?: boolean }>;
  /**
   * The locks are fail-safe (a magnetic lock, a fail-safe strike): held
   * locked while the relay is energised, open while it is not. Their relays
   * are energised at open and after each pulse, and a release is a pulse
   * off (Waveshare flash-off, 0x04xx). Default false: fail-secure locks,
   * energised only to open.
   */
  failSafe?: boolean;
  /** Channels when there is no map. Default 16 (the Waveshare 16-channel board). */
  channels?: number;
  /** How long a lock is energised (ms). Default 500. */
  pulseMs?: number;
  /**
   * `waveshare`: the board times the pulse itself (flash-on, coil address
   * 0x02xx, in 100 ms steps), so a kiosk that dies mid-pulse never leaves a
   * lock energised. `generic`: coil on, then off after `pulseMs`, timed here.
   */
  board?: 'waveshare' | 'generic';
  /** The input value that means the door is open. Default 1. */
  doorOpenValue?: 0 | 1;
  /** The door inputs are read this often (ms). Default 50. */
  pollIntervalMs?: number;
  /** How long to wait for the board's reply (ms). Default 200. */
  replyTimeoutMs?: number;
  /** An unlock must be confirmed (coil read back on, or door open) within this (ms). Default 1500. */
  unlockConfirmMs?: number;
}

export interface ChannelWiring {
  channel: number;
  coil: number;
  input: number | null;
  /** Held locked while the coil is energised; released by a pulse off. */
  failSafe: boolean;
}

export type ResolvedModbusLocksOptions = Required<Omit<ModbusLocksOptions, 'map' | 'channels' | 'failSafe'>> & { wiring: ChannelWiring[] };

export function resolveModbusLocksOptions(o: ModbusLocksOptions): ResolvedModbusLocksOptions {
  if (!Number.isInteger(o.unitId) || o.unitId < 1 || o.unitId > 247) throw new RangeError(`Modbus locks: unitId ${o.unitId} is outside 1-247`);
  const failSafe = o.failSafe ?? false;
  const wiring: ChannelWiring[] = o.map
    ? Object.entries(o.map).map(([ch, w]) => ({ channel: Number(ch), coil: w.coil, input: w.input, failSafe: w.failSafe ?? failSafe }))
    : Array.from({ length: o.channels ?? 16 }, (_, i) => ({ channel: i + 1, coil: i, input: i, failSafe }));
  if (wiring.length === 0) throw new RangeError('Modbus locks: no channels');
  wiring.sort((a, b) => a.channel - b.channel);
  const coils = new Set<number>();
  for (const w of wiring) {
    if (!Number.isInteger(w.channel) || w.channel < 1) throw new RangeError(`Modbus locks: channel ${w.channel} is not a whole number from 1`);
    if (!Number.isInteger(w.coil) || w.coil < 0 || w.coil > 255) throw new RangeError(`Modbus locks: coil ${w.coil} of channel ${w.channel} is outside 0-255`);
    if (coils.has(w.coil)) throw new RangeError(`Modbus locks: coil ${w.coil} is used by two channels`);
    coils.add(w.coil);
    if (w.input !== null && (!Number.isInteger(w.input) || w.input < 0 || w.input > 1999)) throw new RangeError(`Modbus locks: input ${w.input} of channel ${w.channel} is outside 0-1999`);
  }
  const r = {
    unitId: o.unitId,
    wiring,
    pulseMs: o.pulseMs ?? 500,
    board: o.board ?? 'waveshare',
    doorOpenValue: o.doorOpenValue ?? 1,
    pollIntervalMs: o.pollIntervalMs ?? 50,
    replyTimeoutMs: o.replyTimeoutMs ?? 200,
    unlockConfirmMs: o.unlockConfirmMs ?? 1500,
  } satisfies ResolvedModbusLocksOptions;
  for (const k of ['pulseMs', 'pollIntervalMs', 'replyTimeoutMs', 'unlockConfirmMs'] as const) {
    if (!Number.isFinite(r[k]) || r[k] <= 0) throw new RangeError(`Modbus locks: ${k} must be a positive number, not ${r[k]}`);
  }
  return r;
}
