import { z } from 'zod';
import { isRfc3339 } from '../domain/ids.js';

/**
 * Small schema builders whose error messages say what is allowed, so a person
 * reading `config check` can fix the file without opening the docs. Each
 * message is written as the tail of "<json path>: <message>".
 */

const MAX_SHOWN = 60;

/** A value as the person wrote it, shortened so one bad blob does not flood the report. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string' && v.length > MAX_SHOWN) return `${JSON.stringify(v.slice(0, MAX_SHOWN - 3)).slice(0, -1)}…"`;
  // Config values come from JSON, so they always stringify; the fallback is for the impossible rest.
  const s = JSON.stringify(v) ?? typeof v;
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s;
}

/** The wording shared by every rule: what was found, what is allowed. */
export function mustBe(phrase: string): (iss: { input?: unknown }) => string {
  return (iss) => {
    if (iss.input === undefined) return `is required: ${phrase}`;
    if (typeof iss.input === 'string') return `${show(iss.input)} must be ${phrase}`;
    return `must be ${phrase}, not ${show(iss.input)}`;
  };
}

/** A whole number in [min, max]. */
export function int(min: number, max: number): z.ZodNumber {
  return z
    .number({ error: mustBe(`a whole number from ${min} to ${max}`) })
    .int()
    .min(min)
    .max(max);
}

export function bool(): z.ZodBoolean {
  return z.boolean({ error: mustBe('true or false') });
}

/** A string matching `re`, described by `phrase`. */
export function text(re: RegExp, phrase: string): z.ZodString {
  return z.string({ error: mustBe(phrase) }).regex(re);
}

export function nonEmpty(phrase: string): z.ZodString {
  return z.string({ error: mustBe(phrase) }).min(1);
}

/** One of a few strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T): z.ZodEnum<{ [K in T[number]]: K }> {
  const list = values.join(', ');
  return z.enum(values, {
    error: (iss) =>
      typeof iss.input === 'string'
        ? `${show(iss.input)} is not one of ${list}`
        : iss.input === undefined
          ? `is required: one of ${list}`
          : `must be one of ${list}, not ${show(iss.input)}`,
  });
}

/**
 * The marker zod hands to the formatter for an unknown key: the allowed keys,
 * joined by ", ". The formatter splits it back to suggest the nearest one.
 */
export const ALLOWED_PREFIX = 'allowed: ';

/** A strict object: a key it does not know is an error (a typo must not pass silently). */
export function obj<S extends z.ZodRawShape>(shape: S, what = 'an object'): z.ZodObject<S, z.core.$strict> {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return `${ALLOWED_PREFIX}${allowed}`;
      return mustBe(what)(iss);
    },
  });
}

/** A list of `item`. */
export function list<T extends z.ZodType>(item: T, what: string): z.ZodArray<T> {
  return z.array(item, { error: mustBe(what) });
}

export const ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const ID_PHRASE = '1 to 64 of A-Z a-z 0-9 . _ -';

export function id(): z.ZodString {
  return text(ID_RE, ID_PHRASE);
}

export const HEX64_PHRASE = '64 hex digits (a 32-byte Ed25519 public key)';

/** A raw 32-byte public key in hex, stored lower-case. */
export function hex64(): z.ZodPipe<z.ZodString, z.ZodTransform<string, string>> {
  return text(/^[0-9a-fA-F]{64}$/, HEX64_PHRASE).transform((s) => s.toLowerCase());
}

const RFC3339_PHRASE = 'an RFC 3339 time, like 2027-01-01T00:00:00Z';

export function rfc3339Time(): z.ZodString {
  return z
    .string({ error: mustBe(RFC3339_PHRASE) })
    .refine(isRfc3339, { error: mustBe(RFC3339_PHRASE) }); // The trust store reads it with the same rule.
}

/** Canonical unpadded base64url of exactly `bytes` bytes. */
export function b64u(bytes: number): z.ZodString {
  const phrase = `unpadded base64url of ${bytes} bytes`;
  return z
    .string({ error: mustBe(phrase) })
    .refine(
      (s) => {
        if (!/^[A-Za-z0-9_-]*$/.test(s)) return false;
        const b = Buffer.from(s, 'base64url');
        return b.length === bytes && b.toString('base64url') === s;
      },
      { error: mustBe(phrase) },
    );
}

/** A serial device path: every driver that names one needs a non-empty string. */
export function serialPath(): z.ZodString {
  return nonEmpty('the serial device path, like /dev/ttyUSB0 or /dev/serial/by-id/…');
}

export function baudRate(): z.ZodNumber {
  return int(110, 4_000_000);
}

/** A GPIO line number. */
export function gpio(): z.ZodNumber {
  return int(0, 65_535);
}
