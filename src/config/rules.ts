import * as z from '../core/zod.js';
import { isRfc3339 } from '../domain/ids.js';
import { mustBe, text } from '../core/config-rules.js';

/**
 * The config's own schema builders (ids, keys, times). The general ones
 * (numbers, strict objects, lists, serial paths) are in src/core/config-rules.ts,
 * shared with the drivers' schemas; they are re-exported here.
 */
export * from '../core/config-rules.js';

export const ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const ID_PHRASE = '1 to 64 of A-Z a-z 0-9 . _ -';

export function id(): z.ZodMiniString<string> {
  return text(ID_RE, ID_PHRASE);
}

export const HEX64_PHRASE = '64 hex digits (a 32-byte Ed25519 public key)';

/** A raw 32-byte public key in hex, stored lower-case. */
export function hex64(): z.ZodMiniPipe<z.ZodMiniString<string>, z.ZodMiniTransform<string, string>> {
  return z.pipe(
    text(/^[0-9a-fA-F]{64}$/, HEX64_PHRASE),
    z.transform((s: string) => s.toLowerCase()),
  );
}

const RFC3339_PHRASE = 'an RFC 3339 time, like 2027-01-01T00:00:00Z';

export function rfc3339Time(): z.ZodMiniString<string> {
  return z
    .string({ error: mustBe(RFC3339_PHRASE) })
    .check(z.refine(isRfc3339, { error: mustBe(RFC3339_PHRASE) })); // The trust store reads it with the same rule.
}

/** Canonical unpadded base64url of exactly `bytes` bytes. */
export function b64u(bytes: number): z.ZodMiniString<string> {
  const phrase = `unpadded base64url of ${bytes} bytes`;
  return z.string({ error: mustBe(phrase) }).check(
    z.refine(
      (s: string) => {
        if (!/^[A-Za-z0-9_-]*$/.test(s)) return false;
        const b = Buffer.from(s, 'base64url');
        return b.length === bytes && b.toString('base64url') === s;
      },
      { error: mustBe(phrase) },
    ),
  );
}

