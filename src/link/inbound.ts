/**
 * Everything that arrives on pk/v1/kiosk/{kioskId}/#: opened against the
 * signer's trusted keys, checked against the topic and protocol.md's body
 * rules, de-duplicated by message id, and only then acted on. Any failure
 * drops the message with one log line; nothing here throws to the caller.
 */
import type { Clock } from '../core/clock.js';
import { findKey, openEnvelope, type OpenedEnvelope, type TrustStore } from '../domain/index.js';
import type { Log } from '../core/log.js';
import type { Store } from '../store/index.js';
import type { LinkStore } from '../store/link-store.js';
import type { Drop, DropLog } from './drops.js';
import { ManifestApplier, type ApplierOptions, type ManifestApplied, type ManifestOutcome } from './manifest.js';
import { defaultWorkerUrl, openInWorker, WORKER_ABOVE_BYTES, type ManifestWorkerOptions, type OpenedManifest } from './manifest-open.js';
import { kioskTopicKind, readAck, readManifest, readReply, type AckMessage } from './messages.js';
import type { OnlineChecks } from './verify.js';

export interface AckApplied {
  by: string;
  role: 'seller' | 'operator';
  /** Rows newly marked delivered. */
  acked: number;
  /** Ids that name a row this signer may not ack (another seller's event, or an alarm for a seller). */
  refused: number;
  /** Ids that name no row (already pruned, or never ours). */
  unknown: number;
}

export interface InboundDeps {
  kioskId: string;
  store: Store;
  links: LinkStore;
  sellers: TrustStore;
  operators: TrustStore;
  clock: Clock;
  log: Log;
  drops: DropLog;
  checks: OnlineChecks;
  onManifest: (r: ManifestApplied) => void;
  onAck: (r: AckApplied) => void;
  onDrop: (d: Drop) => void;
  /** How a big manifest is cut into chunks (tests). */
  manifestChunks?: ApplierOptions;
  /** Which manifest payloads are opened in a worker thread, and with which module (tests). */
  manifestWorker?: ManifestWorkerOptions;
}

export class Inbound {
  private readonly manifests: ManifestApplier;
  private readonly workerUrl: URL | null;
  private readonly workerAbove: number;
  private missingWorkerNoted = false;
  /** Manifests waiting behind one opened in a worker, and the chain they wait in. */
  private ahead = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly stopping = new AbortController();

  constructor(private readonly d: InboundDeps) {
    this.manifests = new ManifestApplier(d.store, d.links, d.log, d.manifestChunks);
    this.workerUrl = d.manifestWorker?.url === undefined ? defaultWorkerUrl() : d.manifestWorker.url;
    this.workerAbove = d.manifestWorker?.above ?? WORKER_ABOVE_BYTES;
  }

  /** Resolves once every manifest handed in so far is applied or refused. */
  idle(): Promise<void> {
    return this.chain.then(() => this.manifests.idle());
  }

  /**
   * Stops a manifest being opened in a worker (it is not applied) or applied
   * between two chunks (it is rolled back at the next start).
   */
  stop(): Promise<void> {
    this.stopping.abort();
    return Promise.all([this.manifests.stop(), this.chain]).then(() => this.manifests.idle());
  }

  /**
   * Handles one message. A big manifest is applied in chunks: then this returns
   * a promise that settles once it is applied (or refused), and the caller
   * acknowledges the message only then.
   */
  handle(topic: string, payload: Buffer): void | Promise<void> {
    const failed = (e: unknown): void => {
      // A bug or a database failure on one message must not stop the next one.
      this.drop({ topic, reason: `handling failed: ${(e as Error).message}`, by: null, id: null });
    };
    try {
      const later = this.handleUnsafe(topic, payload);
      return later === undefined ? undefined : later.catch(failed);
    } catch (e) {
      failed(e);
      return undefined;
    }
  }

  private handleUnsafe(topic: string, payload: Buffer): void | Promise<void> {
    const d = this.d;
    const kind = kioskTopicKind(topic, d.kioskId);
    if (kind === 'own') return; // Our own status and alarms, heard back through the `#` subscription.
    if (kind === null) {
      this.drop({ topic, reason: 'not a topic a kiosk reads', by: null, id: null });
      return;
    }
    const now = d.clock.now();
    if (kind === 'manifest') return this.manifest(topic, payload, now);
    let opened: OpenedEnvelope = openEnvelope(payload, d.sellers, now);
    let role: 'seller' | 'operator' = 'seller';
    if (!opened.ok && opened.reason === 'untrusted' && kind === 'ack') {
      const asOperator = openEnvelope(payload, d.operators, now);
      if (asOperator.ok || asOperator.reason !== 'untrusted') {
        opened = asOperator;
        role = 'operator';
      }
    }
    if (!opened.ok) {
      const why = opened.reason === 'untrusted' ? 'signed by no trusted key of its signer' : opened.reason;
      this.drop({ topic, reason: `envelope ${why}`, by: opened.by, id: null });
      return;
    }
    const by = opened.by;
    const id = typeof opened.body.id === 'string' ? opened.body.id.slice(0, 128) : null;
    switch (kind) {
      case 'ack': {
        const a = readAck(opened.body);
        if (!a.ok) return this.drop({ topic, reason: `malformed ack: ${a.reason}`, by, id });
        const r = this.applyAck(by, role, a.value, now);
        if (r === null) return this.drop({ topic, reason: 'repeated ack (already handled)', by, id }, true);
        if (r.refused > 0) {
          d.log.warn({ by, role, refused: r.refused }, `ack names ${r.refused} row(s) ${by} may not acknowledge; those stay unacked`);
        }
        d.onAck(r);
        return;
      }
      case 'reply': {
        const rep = readReply(opened.body);
        if (!rep.ok) return this.drop({ topic, reason: `malformed verify.reply: ${rep.reason}`, by, id });
        const match = d.checks.onReply(by, rep.value);
        switch (match) {
          case 'matched':
            return;
          case 'no-request':
            return this.drop({ topic, reason: 'verify.reply for no waiting request (late, repeated or unknown)', by, id });
          case 'wrong-seller':
            return this.drop({ topic, reason: `verify.reply from ${by}, but the request went to another seller`, by, id });
          case 'late':
            return this.drop({ topic, reason: 'verify.reply after the request expired', by, id });
        }
      }
    }
  }

  /**
   * A manifest: opened here when small, or in a worker thread when big (the
   * event loop keeps turning meanwhile). Manifests are handled in the order
   * they arrive: one arriving while another is opened in a worker waits for it.
   */
  private manifest(topic: string, payload: Buffer, now: number): void | Promise<void> {
    let big = payload.length > this.workerAbove;
    if (big && this.workerUrl === null) {
      if (!this.missingWorkerNoted) this.d.log.warn({ bytes: payload.length }, 'no manifest worker module beside the code: big manifests are opened on the main thread');
      this.missingWorkerNoted = true;
      big = false;
    }
    if (!big && this.ahead === 0) return this.manifestOpened(topic, this.openHere(payload, now));
    return this.inOrder(() => (big ? this.openThere(topic, payload, now) : this.manifestOpened(topic, this.openHere(payload, now))));
  }

  private inOrder(job: () => void | Promise<void>): Promise<void> {
    this.ahead++;
    const run = this.chain.then(job).finally(() => this.ahead--);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private openHere(payload: Buffer, now: number): OpenedManifest {
    const opened = openEnvelope(payload, this.d.sellers, now);
    if (!opened.ok) return opened;
    const id = typeof opened.body.id === 'string' ? opened.body.id.slice(0, 128) : null;
    return { ok: true, by: opened.by, id, read: readManifest(opened.body) };
  }

  private async openThere(topic: string, payload: Buffer, now: number): Promise<void> {
    if (this.stopping.signal.aborted) throw new Error('the link stopped');
    const keyOf = (by: string, kid: string): Uint8Array | null => findKey(this.d.sellers, by, kid, now)?.publicKey ?? null;
    let opened: OpenedManifest;
    const t0 = performance.now();
    try {
      opened = await openInWorker(this.workerUrl as URL, payload, keyOf, this.d.manifestWorker, this.stopping.signal);
      const entries = opened.ok && opened.read.ok ? opened.read.value.upserts.length + opened.read.value.cancels.length : 0;
      this.d.log.info({ bytes: payload.length, entries, ms: Math.round(performance.now() - t0) }, 'big manifest opened in a worker thread');
    } catch (e) {
      if (this.stopping.signal.aborted) throw e;
      const why = (e as Error).message;
      this.d.log.error({ topic, bytes: payload.length, err: why }, 'a big manifest could not be checked; it is not applied');
      return this.drop({ topic, reason: `manifest not checked: ${why}`, by: null, id: null });
    }
    return this.manifestOpened(topic, opened);
  }

  /** An opened manifest refused (envelope, body, signer or kiosk) or handed to the applier. */
  private manifestOpened(topic: string, opened: OpenedManifest): void | Promise<void> {
    const d = this.d;
    if (!opened.ok) {
      const why = opened.reason === 'untrusted' ? 'signed by no trusted key of its signer' : opened.reason;
      return this.drop({ topic, reason: `envelope ${why}`, by: opened.by, id: null });
    }
    const { by, id, read: m } = opened;
    if (!m.ok) return this.drop({ topic, reason: `malformed manifest: ${m.reason}`, by, id });
    if (m.value.sellerId !== by) {
      return this.drop({ topic, reason: `manifest for seller ${m.value.sellerId} signed by ${by}`, by, id });
    }
    if (m.value.kioskId !== d.kioskId) {
      return this.drop({ topic, reason: `manifest for kiosk ${m.value.kioskId}, not this one`, by, id });
    }
    const seq = m.value.seq;
    const done = (out: ManifestOutcome): void => {
      if (!out.applied) {
        const reason = out.reason === 'repeated' ? 'repeated manifest (already applied)' : `stale manifest: seq ${seq} is not above ${out.lastSeq}`;
        return this.drop({ topic, reason, by, id }, out.reason === 'repeated');
      }
      d.onManifest(out.result);
    };
    const out = this.manifests.apply(m.value, () => d.clock.now());
    if (out instanceof Promise) return out.then(done);
    return done(out);
  }

  /** Marks the acked rows in one transaction; null when this ack id was handled before. */
  private applyAck(by: string, role: 'seller' | 'operator', a: AckMessage, now: number): AckApplied | null {
    const { store, kioskId } = this.d;
    const allowedTopic = role === 'seller' ? `pk/v1/seller/${by}/events` : `pk/v1/kiosk/${kioskId}/alarm`;
    return store.tx(() => {
      if (!store.messages.markHandled(a.id, by, now)) return null;
      const r: AckApplied = { by, role, acked: 0, refused: 0, unknown: 0 };
      const ids = [...new Set(a.eventIds)];
      const rows = store.outbox.ackTargets(ids);
      const ok: string[] = [];
      for (const row of rows) {
        if (row.topic !== allowedTopic) r.refused++;
        else if (row.ackedAt === null) ok.push(row.eventId);
      }
      r.unknown = ids.length - rows.length;
      r.acked = store.outbox.ack(ok, now);
      return r;
    });
  }

  private drop(d: Drop, quiet = false): void {
    this.d.drops.note(d, quiet);
    try {
      this.d.onDrop(d);
    } catch {
      // A listener's failure is not the message's.
    }
  }
}
