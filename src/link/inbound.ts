/**
 * Everything that arrives on pk/v1/kiosk/{kioskId}/#: opened against the
 * signer's trusted keys, checked against the topic and protocol.md's body
 * rules, de-duplicated by message id, and only then acted on. Any failure
 * drops the message with one log line; nothing here throws to the caller.
 */
import type { Clock } from '../clock.js';
import { openEnvelope, type OpenedEnvelope, type TrustStore } from '../domain/index.js';
import type { Log } from '../log.js';
import type { Store } from '../store/index.js';
import type { LinkStore } from '../store/link-store.js';
import type { Drop, DropLog } from './drops.js';
import { applyManifest, type ManifestApplied } from './manifest.js';
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
}

export class Inbound {
  constructor(private readonly d: InboundDeps) {}

  handle(topic: string, payload: Buffer): void {
    try {
      this.handleUnsafe(topic, payload);
    } catch (e) {
      // A bug or a database failure on one message must not stop the next one.
      this.drop({ topic, reason: `handling failed: ${(e as Error).message}`, by: null, id: null });
    }
  }

  private handleUnsafe(topic: string, payload: Buffer): void {
    const d = this.d;
    const kind = kioskTopicKind(topic, d.kioskId);
    if (kind === 'own') return; // Our own status and alarms, heard back through the `#` subscription.
    if (kind === null) {
      this.drop({ topic, reason: 'not a topic a kiosk reads', by: null, id: null });
      return;
    }
    const now = d.clock.now();
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
      case 'manifest': {
        const m = readManifest(opened.body);
        if (!m.ok) return this.drop({ topic, reason: `malformed manifest: ${m.reason}`, by, id });
        if (m.value.sellerId !== by) {
          return this.drop({ topic, reason: `manifest for seller ${m.value.sellerId} signed by ${by}`, by, id });
        }
        if (m.value.kioskId !== d.kioskId) {
          return this.drop({ topic, reason: `manifest for kiosk ${m.value.kioskId}, not this one`, by, id });
        }
        const out = applyManifest(d.store, d.links, m.value, now, d.log);
        if (!out.applied) {
          const reason =
            out.reason === 'repeated'
              ? 'repeated manifest (already applied)'
              : `stale manifest: seq ${m.value.seq} is not above ${out.lastSeq}`;
          return this.drop({ topic, reason, by, id }, out.reason === 'repeated');
        }
        d.onManifest(out.result);
        return;
      }
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
