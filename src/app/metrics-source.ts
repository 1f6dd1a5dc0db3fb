/**
 * What GET /metrics reads (src/ui/metrics.ts), from the store, the link, the
 * device supervisor and the lock bank. Totals tail the audit log and the
 * outbox's alarms from where they stood at start, so a scrape reads only the
 * rows added since the previous one.
 */
import type { Clock } from '../core/clock.js';
import type { LockBank } from '../../drivers/locks/contract.js';
import type { Store } from '../store/index.js';
import type { MetricsSource } from '../ui/metrics.js';
import type { DeviceSupervisor } from './supervisor.js';

/** Audit kinds counted (docs/flows.md names them). */
const PICKUP = 'parcel.handed_over';
const DENIAL = 'code.wrong';

export function metricsSource(o: {
  store: Store;
  supervisor: DeviceSupervisor;
  locks: LockBank;
  clock: Clock;
  version: string;
  configHash: string;
  brokerConnected(): boolean;
}): MetricsSource {
  const db = o.store.db;
  let auditAt = (db.prepare('SELECT coalesce(max(id), 0) AS n FROM audit').get() as { n: number }).n;
  let outboxAt = (db.prepare('SELECT coalesce(max(seq), 0) AS n FROM outbox').get() as { n: number }).n;
  const totals = { pickups: 0, denials: 0, lockouts: 0, alarms: {} as Record<string, number> };
  const auditStmt = db.prepare<[number], { id: number; kind: string }>('SELECT id, kind FROM audit WHERE id > ? ORDER BY id');
  const alarmStmt = db.prepare<[number], { seq: number; kind: string; payload: Buffer }>('SELECT seq, kind, payload FROM outbox WHERE seq > ? ORDER BY seq');
  const tail = (): void => {
    for (const r of auditStmt.iterate(auditAt)) {
      auditAt = r.id;
      if (r.kind === PICKUP) totals.pickups++;
      else if (r.kind === DENIAL) totals.denials++;
    }
    for (const r of alarmStmt.iterate(outboxAt)) {
      outboxAt = r.seq;
      if (r.kind !== 'kiosk.alarm') continue;
      let kind = 'unknown';
      try {
        const env = JSON.parse(r.payload.toString('utf8')) as { body: string };
        const body = JSON.parse(Buffer.from(env.body, 'base64url').toString('utf8')) as { kind?: unknown };
        if (typeof body.kind === 'string') kind = body.kind;
      } catch {
        // The kiosk wrote it itself; an unreadable row is counted as unknown rather than lost.
      }
      totals.alarms[kind] = (totals.alarms[kind] ?? 0) + 1;
      if (kind === 'attempts-exceeded') totals.lockouts++;
    }
  };
  const oldestStmt = db.prepare<[], { n: number; t: number | null }>('SELECT count(*) AS n, min(created_at) AS t FROM outbox WHERE acked_at IS NULL');
  return {
    version: o.version,
    configHash: o.configHash,
    totals() {
      tail();
      return { ...totals, alarms: { ...totals.alarms } };
    },
    outbox() {
      const r = oldestStmt.get();
      return { depth: r?.n ?? 0, oldestAt: r?.t ?? null };
    },
    brokerConnected: () => o.brokerConnected(),
    devices: () => o.supervisor.status(),
    service: () => o.supervisor.service(),
    onDoor: (fn) => o.locks.on('door', (_ch, open) => fn(open)),
    now: () => o.clock.now(),
  };
}
