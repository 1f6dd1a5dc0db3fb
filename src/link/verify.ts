/**
 * Online code checks (protocol.md verify.request / verify.reply). The kiosk
 * sends a proof made from K_verify and a fresh request id, never the code,
 * and waits for the seller's answer until the request's expiresAt. A reply
 * that is late, from another seller, or for no waiting request is dropped:
 * it can never open a door.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { b64uEncode, encodeEnvelope, isId, isTxn, onlineProof, signEnvelope, uuidv7, type Signer } from '../domain/index.js';
import { LinkError } from './errors.js';
import type { ReplyMessage, ReplyResult } from './messages.js';

/** Same shape as the flows' OnlineResult. */
export type OnlineResult =
  | { result: ReplyResult; attemptsLeft?: number }
  | { result: 'timeout' }
  | { result: 'offline' };

export interface OnlineRequest {
  sellerId: string;
  txn: string;
  method: 'code';
  /** K_verify of the typed code under `salt` (32 bytes). */
  kVerify: Buffer;
  salt: Buffer;
  timeoutMs: number;
}

export const MAX_ONLINE_TIMEOUT_MS = 120_000;

interface Waiting {
  sellerId: string;
  expiresAt: number;
  timer: TimerHandle;
  resolve: (r: OnlineResult) => void;
  reject: (e: Error) => void;
}

export type ReplyMatch = 'matched' | 'no-request' | 'wrong-seller' | 'late';

export class OnlineChecks {
  private readonly waiting = new Map<string, Waiting>();
  private stopped = false;

  constructor(
    private readonly o: {
      kioskId: string;
      signer: Signer;
      clock: Clock;
      isUp: () => boolean;
      publish: (topic: string, payload: Buffer) => Promise<void>;
    },
  ) {}

  get pending(): number {
    return this.waiting.size;
  }

  request(req: OnlineRequest): Promise<OnlineResult> {
    if (this.stopped) return Promise.reject(new LinkError('stopped', 'the seller link is stopped'));
    const problem = checkRequest(req);
    if (problem !== null) return Promise.reject(new LinkError('bad-option', `verifyOnline: ${problem}`));
    if (!this.o.isUp()) return Promise.resolve({ result: 'offline' });

    const now = this.o.clock.now();
    const requestId = uuidv7(now);
    const expiresAt = now + req.timeoutMs;
    const body = {
      type: 'verify.request',
      id: requestId,
      at: new Date(now).toISOString(),
      requestId,
      kioskId: this.o.kioskId,
      txn: req.txn,
      method: req.method,
      proof: b64uEncode(onlineProof(req.kVerify, requestId)),
      salt: b64uEncode(req.salt),
      // Milliseconds matter here: a timeout under a second must not round to "already expired".
      expiresAt: new Date(expiresAt).toISOString(),
    };
    const payload = encodeEnvelope(signEnvelope(body, this.o.signer));
    return new Promise<OnlineResult>((resolve, reject) => {
      const timer = this.o.clock.setTimeout(() => this.settle(requestId, { result: 'timeout' }), req.timeoutMs);
      this.waiting.set(requestId, { sellerId: req.sellerId, expiresAt, timer, resolve, reject });
      this.o.publish(`pk/v1/seller/${req.sellerId}/verify`, payload).catch(() => {
        // The request never reached the broker: no reply can come.
        this.settle(requestId, { result: 'offline' });
      });
    });
  }

  /** A verified, well-formed reply from `by`. Settles its request when it fits. */
  onReply(by: string, reply: ReplyMessage): ReplyMatch {
    const w = this.waiting.get(reply.requestId);
    if (w === undefined) return 'no-request';
    if (w.sellerId !== by) return 'wrong-seller';
    if (this.o.clock.now() > w.expiresAt) {
      this.settle(reply.requestId, { result: 'timeout' });
      return 'late';
    }
    const r: OnlineResult =
      reply.attemptsLeft === undefined ? { result: reply.result } : { result: reply.result, attemptsLeft: reply.attemptsLeft };
    this.settle(reply.requestId, r);
    return 'matched';
  }

  /** The connection dropped: no reply can be heard on it, so the flows fall back now. */
  allOffline(): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, { result: 'offline' });
  }

  /** Rejects every waiting request; later requests reject too. */
  stop(): void {
    this.stopped = true;
    const err = new LinkError('stopped', 'the seller link stopped while waiting for a verify.reply');
    for (const [id, w] of this.waiting) {
      this.o.clock.clearTimeout(w.timer);
      this.waiting.delete(id);
      w.reject(err);
    }
  }

  private settle(requestId: string, r: OnlineResult): void {
    const w = this.waiting.get(requestId);
    if (w === undefined) return;
    this.waiting.delete(requestId);
    this.o.clock.clearTimeout(w.timer);
    w.resolve(r);
  }
}

function checkRequest(r: OnlineRequest): string | null {
  if (typeof r !== 'object' || r === null) return 'give { sellerId, txn, method, kVerify, salt, timeoutMs }';
  if (!isId(r.sellerId)) return 'sellerId is not an id';
  if (!isTxn(r.txn)) return 'txn is not a txn';
  if (r.method !== 'code') return 'method must be "code"';
  if (!Buffer.isBuffer(r.kVerify) || r.kVerify.length !== 32) return 'kVerify must be 32 bytes';
  if (!Buffer.isBuffer(r.salt) || r.salt.length === 0 || r.salt.length > 64) return 'salt must be 1-64 bytes';
  if (!Number.isInteger(r.timeoutMs) || r.timeoutMs <= 0 || r.timeoutMs > MAX_ONLINE_TIMEOUT_MS) {
    return `timeoutMs must be a whole number of ms from 1 to ${MAX_ONLINE_TIMEOUT_MS}`;
  }
  return null;
}
