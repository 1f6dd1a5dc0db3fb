/**
 * The PKP1 envelope (protocol.md "Envelope"): a signed body carried as
 * base64url of its exact UTF-8 JSON bytes, so no canonical JSON is needed.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { b64uDecode, b64uEncode } from './b64.js';
import { isId } from './ids.js';
import { ed25519PublicKeyObject, type Ed25519KeyPair } from './keys.js';
import { findKey, verifyKeyOf, type TrustStore } from './trust.js';

export interface Envelope {
  v: 1;
  by: string;
  kid: string;
  body: string;
  sig: string;
}

export interface Signer {
  id: string;
  keys: Ed25519KeyPair;
}

export type EnvelopeFailure = 'malformed' | 'untrusted' | 'bad-signature' | 'bad-body';

export type OpenedEnvelope =
  | { ok: true; by: string; kid: string; body: Record<string, unknown>; bodyText: string }
  | { ok: false; reason: EnvelopeFailure; by: string | null };

/** Payloads above this are refused unread: no PKP1 message comes near it. */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

const KID = /^[0-9a-f]{8}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Signs `body`; the body bytes are the UTF-8 of JSON.stringify(body). */
export function signEnvelope(body: object, signer: Signer): Envelope {
  return signEnvelopeText(JSON.stringify(body), signer);
}

/** Signs a body given as its exact JSON text (for re-sending bytes already made). */
export function signEnvelopeText(bodyText: string, signer: Signer): Envelope {
  if (!isId(signer.id)) throw new Error('signer id must be 1-64 characters of [A-Za-z0-9._-]');
  const bytes = Buffer.from(bodyText, 'utf8');
  return {
    v: 1,
    by: signer.id,
    kid: signer.keys.kid,
    body: b64uEncode(bytes),
    sig: b64uEncode(sign(null, bytes, signer.keys.privateKey)),
  };
}

/** The MQTT payload of an envelope: its JSON bytes. */
export function encodeEnvelope(e: Envelope): Buffer {
  return Buffer.from(JSON.stringify({ v: e.v, by: e.by, kid: e.kid, body: e.body, sig: e.sig }), 'utf8');
}

/** An envelope read but not yet checked: its signer, key id, body bytes and signature. */
export type ReadEnvelope = { ok: true; by: string; kid: string; body: Buffer; sig: Buffer } | { ok: false; reason: 'malformed'; by: string | null };

/**
 * Opens a payload: shape first, then the signature against a trusted key of
 * `by` with that kid, and only then the body. Never throws. Unknown envelope
 * members are ignored (they are not signed, so nothing reads them).
 */
export function openEnvelope(payload: Uint8Array | string, trust: TrustStore, now?: number): OpenedEnvelope {
  const e = readEnvelope(payload);
  if (!e.ok) return e;
  try {
    const key = findKey(trust, e.by, e.kid, now ?? Date.now());
    if (key === null) return { ok: false, reason: 'untrusted', by: e.by };
    return checkEnvelope(e, key.publicKey, verifyKeyOf(key));
  } catch {
    return { ok: false, reason: 'malformed', by: e.by };
  }
}

/** The first step of openEnvelope: the envelope's shape, nothing checked against keys. Never throws. */
export function readEnvelope(payload: Uint8Array | string): ReadEnvelope {
  let by: string | null = null;
  try {
    if (typeof payload === 'string') {
      // A UTF-16 length over the cap is over it in UTF-8 as well.
      if (payload.length > MAX_ENVELOPE_BYTES || Buffer.byteLength(payload, 'utf8') > MAX_ENVELOPE_BYTES) {
        return { ok: false, reason: 'malformed', by: null };
      }
    } else if (!(payload instanceof Uint8Array) || payload.length > MAX_ENVELOPE_BYTES) {
      return { ok: false, reason: 'malformed', by: null };
    }
    const text = typeof payload === 'string' ? payload : utf8.decode(payload);
    const e: unknown = JSON.parse(text);
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return { ok: false, reason: 'malformed', by: null };
    const o = e as Record<string, unknown>;
    if (typeof o.by === 'string' && isId(o.by)) by = o.by;
    if (o.v !== 1 || by === null || typeof o.kid !== 'string' || !KID.test(o.kid)) {
      return { ok: false, reason: 'malformed', by };
    }
    const body = typeof o.body === 'string' ? b64uDecode(o.body) : null;
    const sig = typeof o.sig === 'string' ? b64uDecode(o.sig) : null;
    if (body === null || sig === null || sig.length !== 64) return { ok: false, reason: 'malformed', by };
    return { ok: true, by, kid: o.kid, body, sig };
  } catch {
    return { ok: false, reason: 'malformed', by };
  }
}

/**
 * The last step of openEnvelope: the signature of a read envelope against the
 * trusted key found for its signer and kid (its 32 bytes, or its KeyObject when
 * one is at hand), then the body. Never throws.
 */
export function checkEnvelope(e: ReadEnvelope & { ok: true }, publicKey: Uint8Array, keyObject?: KeyObject): OpenedEnvelope {
  try {
    if (!verify(null, e.body, keyObject ?? ed25519PublicKeyObject(publicKey), e.sig)) return { ok: false, reason: 'bad-signature', by: e.by };
    const opened = readBody(e.body);
    if (opened === null) return { ok: false, reason: 'bad-body', by: e.by };
    return { ok: true, by: e.by, kid: e.kid, body: opened.body, bodyText: opened.text };
  } catch {
    return { ok: false, reason: 'malformed', by: e.by };
  }
}

/** A signed body: UTF-8 JSON object with string type, id and at; else null. */
function readBody(bytes: Buffer): { body: Record<string, unknown>; text: string } | null {
  try {
    const text = utf8.decode(bytes);
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const b = value as Record<string, unknown>;
    if (typeof b.type !== 'string' || typeof b.id !== 'string' || typeof b.at !== 'string') return null;
    return { body: b, text };
  } catch {
    return null;
  }
}
