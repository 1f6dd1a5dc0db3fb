/**
 * The PKS1 slip byte layout (slip.md "Slip bytes" and "Text form"): parsing
 * (step 1 of the check) and writing. No keys, no crypto beyond layout.
 */
import { b64uDecode, b64uEncode } from './b64.js';
import { isId } from './ids.js';
import { scryptParamsOk, type ScryptParams } from './kdf.js';

export const SLIP_PREFIX = 'PKS1.';
export const SLIP_VERSION = 1;
export const SIG_LEN = 64;
export const TAG_LEN = 16;
export const MIN_CIPHERTEXT = 17;
export const MAX_CIPHERTEXT = 256;
/** The largest plaintext a slip carries: ciphertext cap minus the GCM tag. */
export const MAX_PLAINTEXT = MAX_CIPHERTEXT - TAG_LEN;

// Longest possible slip: 3 + 64 (id) + 4 + 16 + 3 + 16 + 32 + 4 + 12 + 2 + 256 + 64 bytes.
const MAX_SLIP_BYTES = 476;
const MAX_SLIP_TEXT = SLIP_PREFIX.length + Math.ceil((MAX_SLIP_BYTES * 4) / 3);

export interface ParsedSlip {
  /** The text form as given. */
  text: string;
  bytes: Buffer;
  version: 1;
  mode: 0 | 1;
  sellerId: string;
  /** 8 lower-case hex. */
  kid: string;
  slipId: Buffer;
  params: ScryptParams;
  salt: Buffer;
  /** Mode 1 only: the seller's ephemeral X25519 public key. */
  ephPublic: Buffer | null;
  /** Mode 1 only: first 4 bytes of SHA-256 of the destination kiosk's X25519 public key. */
  kioskHint: Buffer | null;
  nonce: Buffer;
  /** AES-256-GCM output: encrypted plaintext, then the 16-byte tag. */
  ciphertext: Buffer;
  /** Every byte before the signature: what the seller signed. */
  signed: Buffer;
  signature: Buffer;
  /** Additional authenticated data: version through ciphertext length. */
  aad: Buffer;
}

/** Reads fixed-size fields off a buffer; `take` returns null past the end. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  take(n: number): Buffer | null {
    if (this.pos + n > this.buf.length) return null;
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  byte(): number | null {
    const b = this.take(1);
    return b === null ? null : b[0];
  }
}

/**
 * Step 1 of "Checking a slip": the text form decodes canonically and every
 * field is present, in bounds, with no byte left over. Returns null for
 * anything else; never throws.
 */
export function parseSlip(text: string): ParsedSlip | null {
  try {
    return parseSlipUnsafe(text);
  } catch {
    return null;
  }
}

function parseSlipUnsafe(text: string): ParsedSlip | null {
  if (typeof text !== 'string' || text.length > MAX_SLIP_TEXT || !text.startsWith(SLIP_PREFIX)) return null;
  const bytes = b64uDecode(text.slice(SLIP_PREFIX.length));
  if (bytes === null) return null;
  const rd = new Reader(bytes);
  if (rd.byte() !== SLIP_VERSION) return null;
  const mode = rd.byte();
  if (mode !== 0 && mode !== 1) return null;
  const idLen = rd.byte();
  if (idLen === null || idLen < 1 || idLen > 64) return null;
  const idBytes = rd.take(idLen);
  if (idBytes === null) return null;
  const sellerId = idBytes.toString('latin1');
  if (!isId(sellerId)) return null;
  const kid = rd.take(4);
  const slipId = rd.take(16);
  const logN = rd.byte();
  const r = rd.byte();
  const p = rd.byte();
  if (kid === null || slipId === null || logN === null || r === null || p === null) return null;
  const params = { logN, r, p };
  if (!scryptParamsOk(params)) return null;
  const salt = rd.take(16);
  const ephPublic = mode === 1 ? rd.take(32) : null;
  const kioskHint = mode === 1 ? rd.take(4) : null;
  if (salt === null || (mode === 1 && (ephPublic === null || kioskHint === null))) return null;
  const nonce = rd.take(12);
  const cLen = rd.take(2);
  if (nonce === null || cLen === null) return null;
  const aadEnd = rd.pos;
  const c = cLen.readUInt16BE(0);
  if (c < MIN_CIPHERTEXT || c > MAX_CIPHERTEXT) return null;
  const ciphertext = rd.take(c);
  if (ciphertext === null) return null;
  const signedEnd = rd.pos;
  const signature = rd.take(SIG_LEN);
  if (signature === null || rd.pos !== bytes.length) return null;
  return {
    text,
    bytes,
    version: 1,
    mode,
    sellerId,
    kid: kid.toString('hex'),
    slipId,
    params,
    salt,
    ephPublic,
    kioskHint,
    nonce,
    ciphertext,
    signed: bytes.subarray(0, signedEnd),
    signature,
    aad: bytes.subarray(0, aadEnd),
  };
}

/** The fields a seller writes, before encryption and signing. */
export interface SlipHeader {
  mode: 0 | 1;
  sellerId: string;
  kid: string;
  slipId: Uint8Array;
  params: ScryptParams;
  salt: Uint8Array;
  ephPublic: Uint8Array | null;
  kioskHint: Uint8Array | null;
  nonce: Uint8Array;
  ciphertextLength: number;
}

/** The AAD of a slip: version through ciphertext length. Throws on a field of the wrong size. */
export function writeSlipAad(h: SlipHeader): Buffer {
  const need = (what: string, b: Uint8Array | null, n: number): Uint8Array => {
    if (b === null || b.length !== n) throw new Error(`slip ${what} must be ${n} bytes`);
    return b;
  };
  if (!isId(h.sellerId)) throw new Error('slip seller id must be 1-64 characters of [A-Za-z0-9._-]');
  if (!/^[0-9a-f]{8}$/.test(h.kid)) throw new Error('slip kid must be 8 lower-case hex digits');
  if (!scryptParamsOk(h.params)) throw new Error(`slip scrypt parameters out of bounds: ${JSON.stringify(h.params)}`);
  const c = h.ciphertextLength;
  if (!Number.isInteger(c) || c < MIN_CIPHERTEXT || c > MAX_CIPHERTEXT) {
    throw new Error(`slip ciphertext must be ${MIN_CIPHERTEXT}-${MAX_CIPHERTEXT} bytes, got ${c}`);
  }
  const parts: Uint8Array[] = [
    Buffer.of(SLIP_VERSION, h.mode, h.sellerId.length),
    Buffer.from(h.sellerId, 'latin1'),
    Buffer.from(h.kid, 'hex'),
    need('slip id', h.slipId, 16),
    Buffer.of(h.params.logN, h.params.r, h.params.p),
    need('salt', h.salt, 16),
  ];
  if (h.mode === 1) parts.push(need('ephemeral key', h.ephPublic, 32), need('kiosk hint', h.kioskHint, 4));
  const len = Buffer.alloc(2);
  len.writeUInt16BE(c, 0);
  parts.push(need('nonce', h.nonce, 12), len);
  return Buffer.concat(parts);
}

/** The text form: `PKS1.` and the bytes in unpadded base64url. */
export function slipText(bytes: Uint8Array): string {
  return SLIP_PREFIX + b64uEncode(bytes);
}
