/**
 * The seller's side of PKP1 on pk/v1/seller/{sellerId}/#: verify requests
 * answered at once, events recorded in batches (one transaction and one ack
 * per kiosk for everything that arrived together) and acked — a repeated
 * event id is acked again, never recorded twice.
 */
import type { Clock } from '../core/clock.js';
import { rfc3339 } from '../core/clock.js';
import { encodeEnvelope, openEnvelope, signEnvelope, uuidv7, type TrustStore } from '../domain/index.js';
import type { Log } from '../core/log.js';
import type { ProofCheck, RecordedEvent, SellerParcelState, SellerStore } from './db.js';
import { checkReceipt, decideVerify, readEvent, readVerifyRequest, type EventType, type KioskEvent, type VerifyAnswer } from './checks.js';
import type { SellerKey } from './keys.js';

export interface VerifyHandled {
  kioskId: string;
  txn: string;
  answer: VerifyAnswer;
}

export interface ProofProblem {
  eventId: string;
  kioskId: string;
  txn: string;
  proof: ProofCheck;
}

export interface ServeHooks {
  publish: (topic: string, payload: Buffer) => void;
  onEvent: (e: RecordedEvent) => void;
  onVerify: (v: VerifyHandled) => void;
  onProofProblem: (p: ProofProblem) => void;
  onDrop: (d: { topic: string; reason: string; by: string | null }) => void;
}

const NEXT_STATE: Record<EventType, SellerParcelState> = {
  'parcel.arrived': 'arrived',
  'parcel.handed_over': 'handed_over',
  'parcel.uncollected': 'uncollected',
  'parcel.returned': 'returned',
};

/** Acks carry at most this many ids each. */
const ACK_CHUNK = 5000;

interface Queued {
  ev: KioskEvent;
  body: Record<string, unknown>;
  bodyText: string;
}

export class SellerService {
  private queue: Queued[] = [];
  private flushScheduled = false;
  // Answers already given, by request id: a redelivered request gets the same answer and counts no second failure.
  private readonly answered = new Map<string, { payload: Buffer; kioskId: string; expiresAt: number }>();

  constructor(
    private readonly seller: SellerKey,
    private readonly store: SellerStore,
    private readonly kiosks: () => TrustStore,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly failureLimit: number,
    private readonly hooks: ServeHooks,
  ) {}

  handle(topic: string, payload: Buffer): void {
    try {
      this.handleUnsafe(topic, payload);
    } catch (e) {
      this.drop(topic, `handling failed: ${(e as Error).message}`, null);
    }
  }

  /** Records what is queued now (also called on stop). */
  flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const now = this.clock.now();
    const recorded: RecordedEvent[] = [];
    const acks = new Map<string, string[]>();
    try {
      this.store.tx(() => {
        for (const q of batch) {
          const proof = q.ev.type === 'parcel.handed_over' ? checkReceipt(this.store, q.ev, q.body) : null;
          const rec: RecordedEvent = { eventId: q.ev.id, kioskId: q.ev.kioskId, type: q.ev.type, txn: q.ev.txn, at: q.ev.at, body: q.body, proof, receivedAt: now };
          if (this.store.insertEvent({ ...rec, bodyText: q.bodyText })) {
            recorded.push(rec);
            const p = this.store.parcel(q.ev.txn);
            if (p !== null && p.kioskId === q.ev.kioskId && p.state !== 'cancelled') this.store.setState(q.ev.txn, NEXT_STATE[q.ev.type], now);
          }
          const list = acks.get(q.ev.kioskId) ?? [];
          list.push(q.ev.id);
          acks.set(q.ev.kioskId, list);
        }
      });
    } catch (e) {
      // Nothing recorded, nothing acked: the kiosks send these again.
      this.log.error({ err: (e as Error).message, events: batch.length }, 'recording events failed; they are not acked and will come again');
      return;
    }
    for (const [kioskId, ids] of acks) {
      for (let i = 0; i < ids.length; i += ACK_CHUNK) {
        const body = { type: 'ack', id: uuidv7(now), at: rfc3339(now), eventIds: ids.slice(i, i + ACK_CHUNK) };
        this.hooks.publish(`pk/v1/kiosk/${kioskId}/ack`, encodeEnvelope(signEnvelope(body, { id: this.seller.sellerId, keys: this.seller.keys })));
      }
    }
    for (const rec of recorded) {
      if (rec.proof !== null && rec.proof !== 'ok' && rec.proof !== 'none') {
        this.log.error(
          { eventId: rec.eventId, kioskId: rec.kioskId, txn: rec.txn, proof: rec.proof },
          `RECIPIENT PROOF ${rec.proof.toUpperCase()}: kiosk ${rec.kioskId} reports txn ${rec.txn} handed over without a valid proof that the code was known`,
        );
        this.safe(() => this.hooks.onProofProblem({ eventId: rec.eventId, kioskId: rec.kioskId, txn: rec.txn, proof: rec.proof! }));
      }
      this.safe(() => this.hooks.onEvent(rec));
    }
  }

  private handleUnsafe(topic: string, payload: Buffer): void {
    const prefix = `pk/v1/seller/${this.seller.sellerId}/`;
    const kind = topic.startsWith(prefix) ? topic.slice(prefix.length) : null;
    if (kind !== 'events' && kind !== 'verify') return this.drop(topic, 'not a topic a seller reads', null);
    const now = this.clock.now();
    const opened = openEnvelope(payload, this.kiosks(), now);
    if (!opened.ok) {
      const why =
        opened.reason === 'untrusted'
          ? `not signed by a registered key of kiosk ${opened.by ?? '?'} (register it: seller kiosk add FILE)`
          : `envelope ${opened.reason}`;
      return this.drop(topic, why, opened.by);
    }
    if (kind === 'verify') return this.onVerify(topic, opened.by, opened.body, now);
    const ev = readEvent(opened.body);
    if (!ev.ok) return this.drop(topic, `malformed event: ${ev.reason}`, opened.by);
    if (ev.value.kioskId !== opened.by) return this.drop(topic, `event of kiosk ${ev.value.kioskId} signed by ${opened.by}`, opened.by);
    this.queue.push({ ev: ev.value, body: opened.body, bodyText: opened.bodyText });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private onVerify(topic: string, by: string, body: Record<string, unknown>, now: number): void {
    const r = readVerifyRequest(body);
    if (!r.ok) return this.drop(topic, `malformed verify.request: ${r.reason}`, by);
    const req = r.value;
    if (req.kioskId !== by) return this.drop(topic, `verify.request of kiosk ${req.kioskId} signed by ${by}`, by);
    if (now > req.expiresAt) {
      this.log.info({ kioskId: by, txn: req.txn, requestId: req.requestId }, 'verify.request arrived after its expiresAt: not answered');
      return;
    }
    const replyTopic = `pk/v1/kiosk/${by}/reply`;
    const seen = this.answered.get(req.requestId);
    if (seen !== undefined && seen.kioskId === by) {
      this.hooks.publish(replyTopic, seen.payload);
      return;
    }
    if (req.method === 'biometric') {
      this.log.warn({ kioskId: by, txn: req.txn }, 'biometric online checks are not supported by the reference seller: not answered');
      return;
    }
    const answer = this.store.tx(() => decideVerify(this.store, req, this.failureLimit, now));
    const reply: Record<string, unknown> = { type: 'verify.reply', id: uuidv7(now), at: rfc3339(now), requestId: req.requestId, result: answer.result };
    if (answer.attemptsLeft !== undefined) reply.attemptsLeft = answer.attemptsLeft;
    const out = encodeEnvelope(signEnvelope(reply, { id: this.seller.sellerId, keys: this.seller.keys }));
    this.remember(req.requestId, { payload: out, kioskId: by, expiresAt: req.expiresAt }, now);
    this.hooks.publish(replyTopic, out);
    this.safe(() => this.hooks.onVerify({ kioskId: by, txn: req.txn, answer }));
  }

  private remember(requestId: string, a: { payload: Buffer; kioskId: string; expiresAt: number }, now: number): void {
    if (this.answered.size >= 10_000) {
      for (const [id, v] of this.answered) if (v.expiresAt < now) this.answered.delete(id);
      if (this.answered.size >= 10_000) this.answered.delete(this.answered.keys().next().value!);
    }
    this.answered.set(requestId, a);
  }

  private drop(topic: string, reason: string, by: string | null): void {
    this.log.warn({ topic, by, reason }, `seller dropped a message: ${reason}`);
    this.safe(() => this.hooks.onDrop({ topic, reason, by }));
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'a seller hook threw');
    }
  }
}
