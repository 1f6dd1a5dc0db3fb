export interface Id003Options {
  /** ISO 4217 code of the notes this validator's software accepts, e.g. JPY. */
  currency: string;
  /** Escrow code (the byte after ESCROW, e.g. 0x61) → value in minor units of `currency`. */
  denominations: Record<number, number>;
  /** The status is polled this often (ms). Default 200. */
  pollIntervalMs?: number;
  /** How long to wait for the validator's reply to one command (ms). Default 300. */
  replyTimeoutMs?: number;
  /** The validator is reported gone after this many polls in a row fail. Default 5. */
  missesBeforeLost?: number;
}

export type ResolvedId003Options = Required<Id003Options>;

/** Escrow codes of the Japanese software sheet most JCM units ship with (check the unit's own sheet). */
export const JPY_DENOMINATIONS: Record<number, number> = { 0x61: 1000, 0x62: 2000, 0x63: 5000, 0x64: 10000 };

export function resolveId003Options(o: Id003Options): ResolvedId003Options {
  if (!/^[A-Z]{3}$/.test(o.currency)) throw new RangeError(`ID-003: currency ${o.currency} is not an ISO 4217 code`);
  for (const [code, value] of Object.entries(o.denominations)) {
    const c = Number(code);
    if (!Number.isInteger(c) || c < 0 || c > 0xff) throw new RangeError(`ID-003: escrow code ${code} is not a byte`);
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`ID-003: escrow code ${code} has value ${value}, not a positive whole number`);
  }
  const r: ResolvedId003Options = {
    currency: o.currency,
    denominations: { ...o.denominations },
    pollIntervalMs: o.pollIntervalMs ?? 200,
    replyTimeoutMs: o.replyTimeoutMs ?? 300,
    missesBeforeLost: o.missesBeforeLost ?? 5,
  };
  for (const k of ['pollIntervalMs', 'replyTimeoutMs', 'missesBeforeLost'] as const) {
    if (!Number.isFinite(r[k]) || r[k] <= 0) throw new RangeError(`ID-003: ${k} must be a positive number, not ${r[k]}`);
  }
  return r;
}
