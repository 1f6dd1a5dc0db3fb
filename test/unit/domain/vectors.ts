// Loads the PKS1/PKP1 vectors from test/fixtures and builds the keys they name.
import { readFileSync } from 'node:fs';
import { createTrustStore, ed25519FromSeed, x25519FromSeed } from '../../../src/domain/index.js';

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export interface SellerVector { id: string; ed25519Seed: string; publicKey: string; kid: string }
export interface KeysVector {
  sellers: SellerVector[];
  untrustedSigner: SellerVector;
  kiosk: { id: string; x25519Seed: string; x25519Public: string; ed25519Seed: string; ed25519Public: string; kid: string };
  otherKiosk: { id: string; x25519Seed: string; x25519Public: string };
}
export interface DerivationVector {
  code: string; salt: string; logN: number; r: number; p: number; S: string;
  K_verify: string; K_receipt: string; requestId: string; onlineProof: string;
  eventId: string; txn: string; recipientProof: string;
}
export interface SlipVector {
  name: string;
  slip: string;
  check: { code: string | null; expectTxn: string | null; allowMode0?: boolean };
  expect: { ok: true; txn: string | null; plaintext?: Record<string, unknown> } | { ok: false; reason: string };
}
export interface EnvelopeVector {
  name: string;
  signer: string;
  body?: string;
  envelope: Record<string, unknown>;
  expect: 'valid' | 'invalid';
}

export const keys = load<KeysVector>('keys.json');
export const derivations = load<DerivationVector[]>('derivations.json');
export const slips = load<SlipVector[]>('slips.json');
export const envelopes = load<EnvelopeVector[]>('envelopes.json');

const hex = (s: string) => Buffer.from(s, 'hex');

export const sellerKeys = keys.sellers.map((s) => ({ id: s.id, keys: ed25519FromSeed(hex(s.ed25519Seed)) }));
export const kioskX25519 = x25519FromSeed(hex(keys.kiosk.x25519Seed));
export const kioskEd25519 = ed25519FromSeed(hex(keys.kiosk.ed25519Seed));
export const otherKioskX25519 = x25519FromSeed(hex(keys.otherKiosk.x25519Seed));

/** Trust of slips.json: both sellers. */
export const sellerTrust = createTrustStore(Object.fromEntries(keys.sellers.map((s) => [s.id, [s.publicKey]])));
/** Trust of envelopes.json: sellers by id, the kiosk by its id. */
export const envelopeTrust = createTrustStore({
  ...Object.fromEntries(keys.sellers.map((s) => [s.id, [s.publicKey]])),
  [keys.kiosk.id]: [keys.kiosk.ed25519Public],
});
