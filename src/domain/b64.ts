/**
 * base64url without padding (RFC 4648 §5), as every PKS1/PKP1 field uses it.
 * Decoding is strict so that one byte string has exactly one text form: a slip
 * or signature that could be spelt two ways would let a copy pass as "new".
 */

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** Unpadded base64url of `buf`. */
export function b64uEncode(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('base64url');
}

/**
 * Decodes unpadded base64url, or returns null when the text is not in the
 * canonical form: a character outside the alphabet (padding and white space
 * included), a length that leaves a lone character (length % 4 == 1), or
 * non-zero unused low bits in the last character.
 */
export function b64uDecode(text: string): Buffer | null {
  if (typeof text !== 'string') return null;
  if (text.length % 4 === 1) return null;
  if (!ALPHABET.test(text)) return null;
  const buf = Buffer.from(text, 'base64url');
  // Node's decoder silently drops non-zero trailing bits; re-encoding tells.
  if (buf.toString('base64url') !== text) return null;
  return buf;
}
