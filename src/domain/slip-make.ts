/**
 * Making a slip, seller side: the reference seller and tests use it; a kiosk
 * never does.
 */
import { createCipheriv, randomBytes, sign } from 'node:crypto';
import { isCode, isId } from './ids.js';
import { DEFAULT_SCRYPT, deriveS, kSlip, scryptParamsOk, type ScryptParams } from './kdf.js';
import { generateX25519, kioskHintOf, x25519Shared, type Ed25519KeyPair } from './keys.js';
import { MAX_PLAINTEXT, slipText, TAG_LEN, writeSlipAad } from './slip-bytes.js';
import { writeSlipPlaintext, type SlipPlaintext } from './slip-plaintext.js';

export interface SellerSigner {
  id: string;
  keys: Ed25519KeyPair;
}

export interface MakeSlipOptions {
  seller: SellerSigner;
  mode: 0 | 1;
  code: string;
  plaintext: SlipPlaintext;
  /** Default { logN: 15, r: 8, p: 1 }. */
  params?: ScryptParams;
  /** Mode 1: the destination kiosk's X25519 public key (32 bytes). */
  kioskX25519Public?: Uint8Array;
}

/**
 * A slip in text form ("PKS1.…"). Rejects with a reason on a bad seller id,
 * code, plaintext (txn syntax, due, holdUntil, more than 240 bytes of JSON),
 * parameters out of bounds, or a mode-1 slip without a 32-byte kiosk key.
 */
export async function makeSlip(o: MakeSlipOptions): Promise<string> {
  const params = o.params ?? DEFAULT_SCRYPT;
  if (!isId(o.seller.id)) throw new Error('seller id must be 1-64 characters of [A-Za-z0-9._-]');
  if (!isCode(o.code)) throw new Error('a recipient code is 6-16 ASCII digits');
  if (!scryptParamsOk(params)) throw new Error(`scrypt parameters out of bounds: ${JSON.stringify(params)}`);
  if (o.mode !== 0 && o.mode !== 1) throw new Error(`slip mode must be 0 or 1, got ${String(o.mode)}`);
  const plain = writeSlipPlaintext(o.plaintext);
  if (plain.length > MAX_PLAINTEXT) {
    throw new Error(`slip plaintext is ${plain.length} bytes of JSON; at most ${MAX_PLAINTEXT} fit`);
  }

  let Z: Buffer = Buffer.alloc(0);
  let ephPublic: Buffer | null = null;
  let kioskHint: Buffer | null = null;
  if (o.mode === 1) {
    const kioskPub = o.kioskX25519Public;
    if (kioskPub === undefined || kioskPub.length !== 32) {
      throw new Error('a mode-1 slip needs the kiosk X25519 public key (32 bytes)');
    }
    const eph = generateX25519();
    Z = x25519Shared(eph.privateKey, kioskPub);
    ephPublic = eph.publicKey;
    kioskHint = kioskHintOf(kioskPub);
  }

  const slipId = randomBytes(16);
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const aad = writeSlipAad({
    mode: o.mode,
    sellerId: o.seller.id,
    kid: o.seller.keys.kid,
    slipId,
    params,
    salt,
    ephPublic,
    kioskHint,
    nonce,
    ciphertextLength: plain.length + TAG_LEN,
  });
  const S = await deriveS(o.code, salt, params);
  const c = createCipheriv('aes-256-gcm', kSlip(S, Z, salt, slipId), nonce, { authTagLength: TAG_LEN });
  c.setAAD(aad);
  const ciphertext = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  const signed = Buffer.concat([aad, ciphertext]);
  return slipText(Buffer.concat([signed, sign(null, signed, o.seller.keys.privateKey)]));
}
