/**
 * A big manifest opened in a worker thread (the built dist/src/link/manifest-worker.js):
 * the same rows as when opened on the main thread, the same refusals with the
 * same reasons, arrival order kept, and a worker that fails refusing the
 * manifest without touching the store.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rfc3339, systemClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/log.js';
import { b64uEncode, createTrustStore, encodeEnvelope, generateEd25519, signEnvelope, signEnvelopeText, uuidv7, type Signer } from '../../../src/domain/index.js';
import { DropLog } from '../../../src/link/drops.js';
import { Inbound } from '../../../src/link/inbound.js';
import type { ManifestWorkerOptions } from '../../../src/link/manifest-open.js';
import type { ManifestApplied } from '../../../src/link/manifest.js';
import { OnlineChecks } from '../../../src/link/verify.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { LinkStore } from '../../../src/store/link-store.js';
import { assertBuilt } from '../../support/built.js';
import { tempDir } from '../../support/tmp.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const WORKER = pathToFileURL(path.join(ROOT, 'dist/src/link/manifest-worker.js'));
const TOPIC = 'pk/v1/kiosk/k1/manifest';
const s1: Signer = { id: 's1', keys: generateEd25519() };
const s2: Signer = { id: 's2', keys: generateEd25519() };
const mallory: Signer = { id: 's1', keys: generateEd25519() };
const verifier = { salt: b64uEncode(Buffer.alloc(16, 1)), logN: 15, r: 8, p: 1, key: b64uEncode(Buffer.alloc(32, 2)) };

function body(seq: number, upserts: unknown[], cancels: unknown[] = [], over: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'manifest', id: uuidv7(), at: rfc3339(Date.now()), sellerId: 's1', kioskId: 'k1', seq, upserts, cancels, ...over };
}

const payload = (b: Record<string, unknown>, by: Signer = s1): Buffer => encodeEnvelope(signEnvelope(b, by));

/** Parcels of every shape a manifest carries, `n` of them from `from` on. */
function parcels(n: number, from = 0): unknown[] {
  return Array.from({ length: n }, (_, i) => {
    const k = from + i;
    return {
      txn: `T${String(k).padStart(6, '0')}`,
      size: ['S', 'M', 'L'][k % 3],
      holdUntil: k % 2 === 0 ? '2026-12-01T00:00:00Z' : undefined,
      due: k % 7 === 0 ? { amount: 100 + k, currency: 'JPY' } : undefined,
      verifier: k % 5 === 0 ? verifier : undefined,
    };
  });
}

interface Kiosk {
  store: Store;
  inbound: Inbound;
  applied: ManifestApplied[];
  dropped: string[];
  logs: string[];
}

describe('a big manifest opened in a worker thread', () => {
  let dir: ReturnType<typeof tempDir>;
  let kiosks: Kiosk[];

  beforeAll(() => assertBuilt(ROOT));
  beforeEach(() => {
    dir = tempDir('pk-manifest-worker-');
    kiosks = [];
  });
  afterEach(async () => {
    for (const k of kiosks) {
      await k.inbound.stop();
      k.store.close();
    }
    dir.cleanup();
  });

  /** A kiosk's inbound side: big payloads (above 1 KiB) to `worker`, or all opened here when null. */
  function kiosk(name: string, worker: ManifestWorkerOptions['url'], o: ManifestWorkerOptions = {}, onChunk?: () => void): Kiosk {
    const store = openStore(`${dir.dir}/${name}.db`);
    const logs: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (s: string) => void logs.push(s) } });
    const k: Kiosk = { store, applied: [], dropped: [], logs, inbound: undefined as unknown as Inbound };
    const kioskKeys: Signer = { id: 'k1', keys: generateEd25519() };
    k.inbound = new Inbound({
      kioskId: 'k1',
      store,
      links: new LinkStore(store.db),
      sellers: createTrustStore({ s1: [s1.keys.publicKey.toString('hex')], s2: [s2.keys.publicKey.toString('hex')] }),
      operators: createTrustStore({}),
      clock: systemClock,
      log,
      drops: new DropLog(log, systemClock),
      checks: new OnlineChecks({ kioskId: 'k1', signer: kioskKeys, clock: systemClock, isUp: () => true, publish: () => Promise.resolve() }),
      onManifest: (r) => k.applied.push(r),
      onAck: () => undefined,
      onDrop: (d) => k.dropped.push(d.reason),
      manifestChunks: { sliceMs: 2, onChunk },
      manifestWorker: { above: 1024, url: worker, ...o },
    });
    kiosks.push(k);
    return k;
  }

  const send = async (k: Kiosk, p: Buffer): Promise<void> => {
    await k.inbound.handle(TOPIC, p);
    await k.inbound.idle();
  };
  const rows = (s: Store): unknown[] => s.db.prepare('SELECT seller_id, txn, state, verifier, size, hold_until, due_amount, due_currency, withdrawn FROM parcels ORDER BY txn').all();
  const opened = (k: Kiosk): number => k.logs.filter((l) => l.includes('big manifest opened in a worker thread')).length;
  const pending = (s: Store): unknown => s.db.prepare('SELECT count(*) AS n FROM manifest_pending').get();

  it('applies the same rows, counts and audit as a manifest opened on the main thread', async () => {
    const here = kiosk('here', null);
    const there = kiosk('there', WORKER, { rowsPerMessage: 500 });
    const first = payload(body(1, parcels(3000)));
    const second = payload(body(2, parcels(3000, 1500), Array.from({ length: 800 }, (_, i) => `T${String(i * 2).padStart(6, '0')}`)));
    expect(second.length).toBeGreaterThan(1024);
    for (const p of [first, second]) {
      await send(here, p);
      await send(there, p);
    }
    expect(opened(there)).toBe(2);
    expect(opened(here)).toBe(0);
    expect(there.dropped).toEqual([]);
    expect(there.applied.map((r) => ({ ...r, ms: 0 }))).toEqual(here.applied.map((r) => ({ ...r, ms: 0 })));
    expect(there.applied.map((r) => [r.seq, r.inserted, r.updated, r.deleted])).toEqual([
      [1, 3000, 0, 0],
      [2, 1500, 1500, 800],
    ]);
    expect(rows(there.store)).toEqual(rows(here.store));
    const audit = (s: Store) => s.db.prepare("SELECT kind, txn, detail FROM audit WHERE kind LIKE 'manifest.%' ORDER BY id").all();
    expect(audit(there.store)).toEqual(audit(here.store));
    expect(there.store.messages.lastSeq('s1')).toBe(2);
    expect(pending(there.store)).toEqual({ n: 0 });
  });

  it('refuses what the main thread refuses, with the same reason, and changes nothing', async () => {
    const here = kiosk('here', null);
    const there = kiosk('there', WORKER);
    // A big manifest applied first: sent again, it is a repeat; seqs at or below it are stale.
    const big = parcels(2000);
    const applied = payload(body(5, big));
    for (const k of [here, there]) await send(k, applied);
    const forged = JSON.parse(payload(body(6, big), mallory).toString()) as Record<string, unknown>;
    forged.kid = s1.keys.kid;
    const cases: Array<[string, Buffer]> = [
      ['forged (signed by another key under the seller kid)', Buffer.from(JSON.stringify(forged))],
      ['signed by a key nobody trusts', payload(body(6, big), { id: 's3', keys: generateEd25519() })],
      ['cut short', payload(body(6, big)).subarray(0, 50_000)],
      ['a body that is not JSON', encodeEnvelope(signEnvelopeText(`{"type":"manifest",${'x'.repeat(5000)}`, s1))],
      ['one bad entry at the end', payload(body(6, [...big, { txn: 'T-LAST', size: 'XL' }]))],
      ['a bad cancel', payload(body(6, big, ['ok', 7]))],
      ['for another kiosk', payload(body(6, big, [], { kioskId: 'k2' }))],
      ['for another seller', payload(body(6, big, [], { sellerId: 's2' }))],
      ['a stale seq', payload(body(5, big))],
      ['a seq going back', payload(body(3, big))],
      ['sent again', applied],
    ];
    const before = rows(there.store);
    expect(rows(here.store)).toEqual(before);
    for (const [what, p] of cases) {
      expect(p.length, what).toBeGreaterThan(1024);
      const n = [here.dropped.length, there.dropped.length];
      await send(here, p);
      await send(there, p);
      expect(here.dropped.slice(n[0]), what).toHaveLength(1);
      expect(there.dropped.slice(n[1]), what).toEqual(here.dropped.slice(n[0]));
    }
    expect(there.dropped[0]).toBe('envelope bad-signature');
    expect(there.dropped).toContain('malformed manifest: upserts[2000]: size is not S, M or L');
    expect(there.dropped).toContain('repeated manifest (already applied)');
    expect(rows(there.store)).toEqual(before);
    expect(there.store.messages.lastSeq('s1')).toBe(5);
    expect(there.applied.map((r) => r.seq)).toEqual([5]);
    expect(pending(there.store)).toEqual({ n: 0 });
  });

  it('keeps arrival order: a small manifest sent right after a big one is applied after it', async () => {
    const k = kiosk('order', WORKER);
    const bigDone = k.inbound.handle(TOPIC, payload(body(10, parcels(3000))));
    const smallDone = k.inbound.handle(TOPIC, payload(body(11, [{ txn: 'T000000', size: 'L' }])));
    expect(bigDone).toBeInstanceOf(Promise);
    expect(smallDone).toBeInstanceOf(Promise);
    const settled: string[] = [];
    // Each settles (and so is acknowledged to the broker) only once applied.
    const mark = (what: string) => () => settled.push(`${what} after ${k.applied.map((r) => r.seq).join(',')}`);
    await Promise.all([Promise.resolve(bigDone).then(mark('big')), Promise.resolve(smallDone).then(mark('small'))]);
    await k.inbound.idle();
    expect(settled).toEqual(['big after 10', 'small after 10,11']);
    expect(k.applied.map((r) => [r.seq, r.inserted, r.updated])).toEqual([
      [10, 3000, 0],
      [11, 0, 1],
    ]);
    expect(k.store.parcels.get('s1', 'T000000')?.size).toBe('L');
  });

  it('a worker that fails refuses the manifest, leaves the store as it was, and the next one is applied', async () => {
    const fake = (name: string, code: string): URL => {
      const f = path.join(dir.dir, `${name}.mjs`);
      writeFileSync(f, code);
      return pathToFileURL(f);
    };
    const signerThenExit = `import { parentPort, workerData } from 'node:worker_threads';
const e = JSON.parse(Buffer.from(workerData.payload).toString());
parentPort.on('message', () => process.exit(3));
parentPort.postMessage({ t: 'signer', by: e.by, kid: e.kid });`;
    const failures: Array<[URL, RegExp, number?]> = [
      [fake('throws', "throw new Error('boom (test)');"), /^manifest not checked: the manifest worker failed: boom \(test\)$/],
      [fake('exits', signerThenExit), /^manifest not checked: the manifest worker ended \(exit code 3\) before it was done$/],
      [fake('hangs', 'setInterval(() => undefined, 1000);'), /^manifest not checked: the manifest worker did not finish within 0.3 s$/, 300],
      [pathToFileURL(path.join(dir.dir, 'missing.mjs')), /^manifest not checked: the manifest worker failed: /],
    ];
    let seq = 20;
    for (const [url, reason, timeoutMs] of failures) {
      const k = kiosk(`fail-${seq}`, url, timeoutMs === undefined ? {} : { timeoutMs });
      const small = payload(body(1, [{ txn: 'FIRST' }]));
      expect(small.length).toBeLessThan(1024);
      await send(k, small);
      expect(k.applied).toHaveLength(1);
      const before = rows(k.store);
      const p = payload(body(seq, parcels(2000, 50)));
      await send(k, p);
      expect(k.dropped, url.pathname).toHaveLength(1);
      expect(k.dropped[0]).toMatch(reason);
      expect(k.logs.some((l) => l.includes('a big manifest could not be checked'))).toBe(true);
      expect(rows(k.store)).toEqual(before);
      expect(k.store.messages.lastSeq('s1')).toBe(1);
      expect(pending(k.store)).toEqual({ n: 0 });
      // Sent again to a kiosk whose worker works: applied whole (it was never marked handled).
      const good = kiosk(`good-${seq}`, WORKER);
      await send(good, small);
      await send(good, p);
      expect(good.applied.map((r) => [r.seq, r.inserted])).toEqual([
        [1, 1],
        [seq, 2000],
      ]);
      seq++;
    }
  });

  it('a stop while the worker opens a manifest ends the worker and applies nothing', async () => {
    const k = kiosk('stop', WORKER);
    const done = k.inbound.handle(TOPIC, payload(body(1, parcels(20_000))));
    await k.inbound.stop();
    await done;
    expect(k.applied).toEqual([]);
    expect(k.dropped).toEqual(['handling failed: the link stopped']);
    expect(k.store.parcels.count('expected')).toBe(0);
    expect(k.store.messages.lastSeq('s1')).toBeNull();
  });

  it('a stop while the chunks are applied stops between two, and the next start rolls the manifest back', async () => {
    const stops: Array<Promise<void>> = [];
    const k = kiosk('stop-chunks', WORKER, {}, () => {
      if (stops.length === 0) stops.push(k.inbound.stop());
    });
    const done = k.inbound.handle(TOPIC, payload(body(1, parcels(20_000))));
    await done;
    expect(stops).toHaveLength(1);
    await Promise.all(stops);
    expect(k.applied).toEqual([]);
    expect(k.dropped).toEqual(['handling failed: the link stopped']);
    expect(k.store.parcels.count('expected')).toBeLessThan(20_000);
    expect(pending(k.store)).toEqual({ n: 1 });
    const again = kiosk('stop-chunks', WORKER);
    await again.inbound.idle();
    expect(pending(again.store)).toEqual({ n: 0 });
    expect(again.store.parcels.count('expected')).toBe(0);
    expect(again.store.messages.lastSeq('s1')).toBeNull();
  });
});
