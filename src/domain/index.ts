/** The pure PKS1 / PKP1 core: codes, keys, proofs, slips, envelopes. */
export { b64uDecode, b64uEncode } from './b64.js';
export { isCode, isId, isRfc3339, isTxn, parseRfc3339, txnDigits, uuidv7 } from './ids.js';
export {
  ed25519FromSeed,
  ed25519PublicKeyObject,
  generateEd25519,
  generateX25519,
  kidOf,
  kioskHintOf,
  x25519FromSeed,
  x25519PublicKeyObject,
  x25519Shared,
  type Ed25519KeyPair,
  type X25519KeyPair,
} from './keys.js';
export { createTrustStore, findKey, type TrustEntry, type TrustedKey, type TrustStore } from './trust.js';
export {
  DEFAULT_SCRYPT,
  deriveS,
  kReceipt,
  kSlip,
  kVerify,
  SCRYPT_MAX_BYTES,
  scryptParamsOk,
  type ScryptParams,
} from './kdf.js';
export {
  checkVerifier,
  makeVerifier,
  onlineProof,
  parseVerifier,
  recipientProof,
  type Verifier,
  type VerifierCheck,
} from './proofs.js';
export * from './slip.js';
export {
  checkEnvelope,
  encodeEnvelope,
  MAX_ENVELOPE_BYTES,
  openEnvelope,
  readEnvelope,
  signEnvelope,
  signEnvelopeText,
  type Envelope,
  type EnvelopeFailure,
  type OpenedEnvelope,
  type ReadEnvelope,
  type Signer,
} from './envelope.js';
