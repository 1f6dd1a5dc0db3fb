/**
 * What the seller decides on what kiosks send: the answer to a verify.request
 * (the proof recomputed from the stored K_verify, compared in constant time,
 * failures counted per parcel) and the check of a handover's recipient proof.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { b64uDecode, isId, isRfc3339, isTxn, parseRfc3339, recipientProof } from '../domain/index.js';
import type { ProofCheck, SellerStore } from './db.js';

type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

const MESSAGE_ID = /^[\x21-\x7e]{1,128}$/;
const ONLINE = Buffer.from('PKS1 online', 'ascii');

export interface VerifyRequest {
  id: string;
  requestId: string;
  kioskId: string;
  txn: string;
  method: 'code' | 'biometric';
  proof: string | null;
  salt: string | null;
  expiresAt: number;
}

export function readVerifyRequest(body: Record<string, unknown>): Read<VerifyRequest> {
  const { type, id, at, requestId, kioskId, txn, method, proof, salt, expiresAt } = body;
  if (type !== 'verify.request') return { ok: false, reason: `type ${JSON.stringify(type)} on the verify topic` };
  if (typeof id !== 'string' || !MESSAGE_ID.test(id)) return { ok: false, reason: 'id is not a message id' };
  if (typeof at !== 'string' || !isRfc3339(at)) return { ok: false, reason: 'at is not an RFC 3339 time' };
  if (typeof requestId !== 'string' || !MESSAGE_ID.test(requestId)) return { ok: false, reason: 'requestId is not a request id' };
  if (typeof kioskId !== 'string' || !isId(kioskId)) return { ok: false, reason: 'kioskId is not an id' };
  if (typeof txn !== 'string' || !isTxn(txn)) return { ok: false, reason: 'txn is not a txn' };
  if (method !== 'code' && method !== 'biometric') return { ok: false, reason: 'method is not code or biometric' };
  const exp = typeof expiresAt === 'string' ? parseRfc3339(expiresAt) : null;
  if (exp === null) return { ok: false, reason: 'expiresAt is not an RFC 3339 time' };
  if (method === 'code' && (typeof proof !== 'string' || typeof salt !== 'string')) {
    return { ok: false, reason: 'a code check needs proof and salt' };
  }
  return {
    ok: true,
    value: {
      id,
      requestId,
      kioskId,
      txn,
      method,
      proof: typeof proof === 'string' ? proof : null,
      salt: typeof salt === 'string' ? salt : null,
      expiresAt: exp,
    },
  };
}

export type VerifyAnswer = { result: 'ok' | 'denied' | 'unknown' | 'cancelled' | 'locked'; attemptsLeft?: number };

/**
 * The answer to a code check. Writes only the failure count. A parcel that
 * has left the kiosk or was cancelled answers `cancelled`; one at its
 * failure limit answers `locked` without looking at the proof.
 */
export function decideVerify(store: SellerStore, req: VerifyRequest, failureLimit: number, now: number): VerifyAnswer {
  const p = store.parcel(req.txn);
  if (p === null || p.kioskId !== req.kioskId) return { result: 'unknown' };
  if (p.state === 'cancelled' || p.state === 'handed_over' || p.state === 'returned') return { result: 'cancelled' };
  if (p.failures >= failureLimit) return { result: 'locked', attemptsLeft: 0 };
  const keys = req.salt === null ? null : store.keys(req.txn, req.salt);
  const given = req.proof === null ? null : b64uDecode(req.proof);
  let ok = false;
  if (keys !== null && given !== null && given.length === 32) {
    const expected = createHmac('sha256', keys.kVerify).update(ONLINE).update(req.requestId, 'ascii').digest();
    ok = timingSafeEqual(expected, given);
  }
  if (ok) {
    store.clearFailures(req.txn, now);
    return { result: 'ok' };
  }
  const failures = store.addFailure(req.txn, now);
  return { result: 'denied', attemptsLeft: Math.max(0, failureLimit - failures) };
}

export const EVENT_TYPES = ['parcel.arrived', 'parcel.handed_over', 'parcel.uncollected', 'parcel.returned'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface KioskEvent {
  id: string;
  type: EventType;
  at: string;
  kioskId: string;
  txn: string;
}

export function readEvent(body: Record<string, unknown>): Read<KioskEvent> {
  const { type, id, at, kioskId, txn } = body;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    return { ok: false, reason: `type ${JSON.stringify(type)} is not a kiosk event` };
  }
  if (typeof id !== 'string' || !MESSAGE_ID.test(id)) return { ok: false, reason: 'id is not an event id' };
  if (typeof at !== 'string' || !isRfc3339(at)) return { ok: false, reason: 'at is not an RFC 3339 time' };
  if (typeof kioskId !== 'string' || !isId(kioskId)) return { ok: false, reason: 'kioskId is not an id' };
  if (typeof txn !== 'string' || !isTxn(txn)) return { ok: false, reason: 'txn is not a txn' };
  return { ok: true, value: { id, type: type as EventType, at, kioskId, txn } };
}

/**
 * Checks a parcel.handed_over's recipient proof: HMAC(K_receipt of the salt
 * it names, eventId || 0x00 || txn). Biometric handovers carry none.
 */
export function checkReceipt(store: SellerStore, ev: KioskEvent, body: Record<string, unknown>): ProofCheck {
  if (body.method === 'biometric') return 'none';
  const proof = typeof body.recipientProof === 'string' ? b64uDecode(body.recipientProof) : null;
  if (proof === null || proof.length !== 32 || typeof body.salt !== 'string') return 'missing';
  const keys = store.keys(ev.txn, body.salt);
  if (keys === null) return 'unknown-salt';
  return timingSafeEqual(recipientProof(keys.kReceipt, ev.id, ev.txn), proof) ? 'ok' : 'mismatch';
}
