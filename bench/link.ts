/**
 * Seller link figures, through a private Mosquitto (the embedded aedes when
 * mosquitto is not installed):
 * - online check round trip (kiosk → broker → seller → broker → kiosk), with
 *   the key derivation the kiosk does before it measured apart;
 * - 10,000 queued events delivered to the reference seller and acked;
 * - a 100,000-parcel manifest applied (and how long the event loop was held).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { rfc3339, systemClock } from '../src/core/clock.js';
import {
  b64uEncode,
  createTrustStore,
  deriveS,
  encodeEnvelope,
  generateEd25519,
  generateX25519,
  kVerify,
  openEnvelope,
  signEnvelope,
  uuidv7,
  type Signer,
} from '../src/domain/index.js';
import { SellerLink, startEmbeddedBroker } from '../src/link/index.js';
import { applyManifest } from '../src/link/manifest.js';
import { readManifest } from '../src/link/messages.js';
import { silentLog } from '../src/core/log.js';
import { ReferenceSeller } from '../src/seller/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { LinkStore } from '../src/store/link-store.js';

const ms = (x: number): string => `${x.toFixed(3)} ms`;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  return `p50 ${ms(pct(s, 50))}  p99 ${ms(pct(s, 99))}  max ${ms(s[s.length - 1])}  (n=${s.length})`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A private Mosquitto on a free port, or the embedded broker when mosquitto is not installed. */
async function startBroker(): Promise<{ name: string; url: string; close: () => Promise<void> }> {
  const bin = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));
  if (bin === undefined) {
    const b = await startEmbeddedBroker({ port: 0 });
    return { name: 'embedded aedes (mosquitto not installed: apt-get install mosquitto)', url: b.url, close: () => b.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'pk-bench-mosq-'));
  const port = await freePort();
  writeFileSync(join(dir, 'm.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\nset_tcp_nodelay true\n`);
  const proc: ChildProcess = spawn(bin, ['-c', join(dir, 'm.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 250; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    name: `mosquitto (${bin})`,
    url: `mqtt://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((r) => {
        proc.once('exit', () => r());
        proc.kill('SIGKILL');
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The longest the event loop went without running a 1 ms ticker, from now until stop(). */
function loopWatch(): { stop(): Promise<number> } {
  let last = performance.now();
  let max = 0;
  const t = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last);
    last = now;
  }, 1);
  return {
    stop: async () => {
      await new Promise((r) => setTimeout(r, 20)); // Let the ticker run once after a long block.
      clearInterval(t);
      return max;
    },
  };
}

async function waitFor(cond: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2)); // A timer, not setImmediate: a tight loop would starve the link.
  }
}

/** The seller side: a separate `pickup-kiosk seller serve` process when the build is there (as in production), else in process. */
async function startSeller(dir: string, url: string): Promise<{ where: string; stop: () => Promise<void> }> {
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  const bin = join(root, 'bin', 'pickup-kiosk.js');
  if (existsSync(join(root, 'dist', 'src', 'cli.js'))) {
    const child = spawn(process.execPath, [bin, 'seller', 'serve', '--seller-dir', dir, '--broker', url, '--no-share', '--failure-limit', '999'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const end = Date.now() + 10_000;
    while (!err.includes('serving') && child.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    if (err.includes('serving')) {
      return {
        where: 'a separate seller process',
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    child.kill('SIGKILL');
    console.log(`  (the built seller did not start: ${err.trim().split('\n')[0] ?? 'no output'}; running it in this process)`);
  }
  const seller = ReferenceSeller.open({ dir, failureLimit: 999 });
  await seller.connect({ brokerUrl: url, share: null });
  return { where: 'the seller in this process', stop: () => seller.close() };
}

/** A kiosk link with bench settings, trusting one seller key. */
function benchLink(store: Store, url: string, kiosk: Signer, sellerPublicHex: string): SellerLink {
  return new SellerLink({
    kioskId: 'kiosk-1',
    brokerUrl: url,
    keepaliveSeconds: 30,
    reconnectMaxMs: 1000,
    store,
    signer: kiosk,
    sellers: createTrustStore({ 'shop-1': [sellerPublicHex] }),
    operators: createTrustStore({}),
    clock: systemClock,
    log: silentLog,
    outboxRetry: { startMs: 5000, maxMs: 60_000 },
    lockerCounts: () => ({ free: 10, total: 12 }),
    version: 'bench',
  });
}

interface Setup {
  store: Store;
  link: SellerLink;
  kiosk: Signer;
  /** The seller's own handle for issuing (connected to publish only). */
  admin: ReferenceSeller;
  sellerDir: string;
  close: () => Promise<void>;
}

async function setup(url: string, dir: string): Promise<Setup> {
  const sellerDir = join(dir, 'seller');
  ReferenceSeller.keygen(sellerDir, 'shop-1');
  const admin = ReferenceSeller.open({ dir: sellerDir });
  const kiosk: Signer = { id: 'kiosk-1', keys: generateEd25519() };
  admin.addKiosk({ kioskId: 'kiosk-1', ed25519Public: kiosk.keys.publicKey.toString('hex'), x25519Public: generateX25519().publicKey.toString('hex') });
  const store = openStore(join(dir, 'kiosk.db'));
  const link = benchLink(store, url, kiosk, admin.identity().ed25519Public);
  await admin.connect({ brokerUrl: url, serve: false });
  return {
    store,
    link,
    kiosk,
    admin,
    sellerDir,
    close: async () => {
      await link.stop();
      await admin.close();
      store.close();
    },
  };
}

async function onlineCheck(url: string, dir: string): Promise<void> {
  const s = await setup(url, dir);
  s.link.start();
  await waitFor(() => s.link.connected, 'the link to connect');
  const params = { logN: 15, r: 8, p: 1 };
  const applied = new Promise<void>((r) => s.link.once('manifest', () => r()));
  const issued = await s.admin.issue({ kioskId: 'kiosk-1', txn: 'BENCH-1', mode: 1, params, label: false });
  await applied;
  await s.admin.stop();
  const seller = await startSeller(s.sellerDir, url);
  const v = s.store.parcels.get('shop-1', 'BENCH-1')!.verifier!;
  const salt = Buffer.from(v.salt, 'base64url');

  const kdf: number[] = [];
  let kv: Buffer = Buffer.alloc(0);
  for (let i = 0; i < 8; i++) {
    const t = performance.now();
    kv = kVerify(await deriveS(issued.code, salt, params), salt);
    kdf.push(performance.now() - t);
  }
  console.log(`  key derivation before a check (scrypt logN 15 r 8 + HKDF): ${summary(kdf)}`);

  const rt: number[] = [];
  for (let i = 0; i < 2200; i++) {
    const t = performance.now();
    const r = await s.link.verifyOnline({ sellerId: 'shop-1', txn: 'BENCH-1', method: 'code', kVerify: kv, salt, timeoutMs: 5000 });
    const dt = performance.now() - t;
    if (r.result !== 'ok') throw new Error(`bench: check answered ${r.result}`);
    if (i >= 200) rt.push(dt);
  }
  console.log(`  online check round trip with ${seller.where}, after the derivation (goal p50 <= 0.25 ms, p99 <= 1 ms): ${summary(rt)}`);

  // Where the time goes: the four signature operations of one check, measured alone.
  const signer: Signer = { id: 'x', keys: generateEd25519() };
  const trust = createTrustStore({ x: [signer.keys.publicKey.toString('hex')] });
  const body = { type: 'verify.request', id: uuidv7(), at: rfc3339(Date.now()), requestId: uuidv7(), kioskId: 'kiosk-1', txn: 'BENCH-1', method: 'code', proof: b64uEncode(kv), salt: v.salt, expiresAt: rfc3339(Date.now()) };
  const n = 2000;
  let t = performance.now();
  let payload: Buffer = Buffer.alloc(0);
  for (let i = 0; i < n; i++) payload = encodeEnvelope(signEnvelope(body, signer));
  const signMs = (performance.now() - t) / n;
  t = performance.now();
  for (let i = 0; i < n; i++) openEnvelope(payload, trust);
  const openMs = (performance.now() - t) / n;
  console.log(
    `  of which Ed25519: each side signs once (${ms(signMs)}) and verifies once (${ms(openMs)}); ` +
      `${ms(signMs + openMs)} on the kiosk's side alone, as much again on the seller's`,
  );
  await seller.stop();
  await s.close();
}

async function queuedEvents(url: string, dir: string, count: number, parcels: number): Promise<void> {
  const s = await setup(url, dir);
  await s.admin.stop();
  const seller = await startSeller(s.sellerDir, url);
  const now = Date.now();
  s.store.tx(() => {
    for (let i = 0; i < count; i++) {
      const id = uuidv7(now);
      const txn = `EV-${i % parcels}`;
      const body = { type: 'parcel.arrived', id, at: rfc3339(now), kioskId: 'kiosk-1', txn, lockerId: 'A01' };
      s.store.outbox.add({ eventId: id, topic: 'pk/v1/seller/shop-1/events', payload: encodeEnvelope(signEnvelope(body, s.kiosk)), kind: 'parcel.arrived', parcelKey: `shop-1/${txn}` }, now);
    }
  });
  const t = performance.now();
  s.link.start();
  await waitFor(() => s.store.outbox.pending() === 0, 'the outbox to drain', 300_000);
  const total = performance.now() - t;
  await seller.stop();
  const check = ReferenceSeller.open({ dir: s.sellerDir });
  const recorded = check.store.eventCount();
  await check.close();
  console.log(
    `  ${count.toLocaleString('en')} queued events on ${parcels.toLocaleString('en')} parcels, from connect to all acked (${seller.where}): ` +
      `${(total / 1000).toFixed(2)} s (${Math.round(count / (total / 1000)).toLocaleString('en')}/s; the seller recorded ${recorded.toLocaleString('en')})`,
  );
  await s.close();
}

/**
 * The kiosk's side alone: a stand-in seller that acks every event it sees
 * without checking signatures (one signed ack per batch), so the figure is
 * the kiosk's capacity rather than the reference seller's Ed25519 speed.
 */
async function queuedEventsKioskSide(url: string, dir: string, count: number): Promise<void> {
  const seller: Signer = { id: 'shop-1', keys: generateEd25519() };
  const kiosk: Signer = { id: 'kiosk-1', keys: generateEd25519() };
  const store = openStore(join(dir, 'kiosk.db'));
  const link = benchLink(store, url, kiosk, seller.keys.publicKey.toString('hex'));
  const acker = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `acker-${uuidv7()}` });
  let pending: string[] = [];
  let scheduled = false;
  acker.on('message', (_t, p) => {
    const e = JSON.parse(p.toString()) as { body: string };
    pending.push((JSON.parse(Buffer.from(e.body, 'base64url').toString()) as { id: string }).id);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const ids = pending;
      pending = [];
      const body = { type: 'ack', id: uuidv7(), at: rfc3339(Date.now()), eventIds: ids };
      void acker.publishAsync('pk/v1/kiosk/kiosk-1/ack', encodeEnvelope(signEnvelope(body, seller)), { qos: 1 });
    });
  });
  await acker.subscribeAsync('pk/v1/seller/shop-1/events', { qos: 1 });
  const now = Date.now();
  store.tx(() => {
    for (let i = 0; i < count; i++) {
      const id = uuidv7(now);
      const body = { type: 'parcel.arrived', id, at: rfc3339(now), kioskId: 'kiosk-1', txn: `K-${i}`, lockerId: 'A01' };
      store.outbox.add({ eventId: id, topic: 'pk/v1/seller/shop-1/events', payload: encodeEnvelope(signEnvelope(body, kiosk)), kind: 'parcel.arrived', parcelKey: `shop-1/K-${i}` }, now);
    }
  });
  const t = performance.now();
  link.start();
  await waitFor(() => store.outbox.pending() === 0, 'the outbox to drain', 300_000);
  const total = performance.now() - t;
  console.log(
    `  ${count.toLocaleString('en')} queued events, kiosk side alone (a stand-in seller that acks without checking signatures): ` +
      `${(total / 1000).toFixed(2)} s (${Math.round(count / (total / 1000)).toLocaleString('en')}/s)`,
  );
  await acker.endAsync();
  await link.stop();
  store.close();
}

function bigManifest(dir: string): void {
  const store = openStore(join(dir, 'manifest.db'));
  const links = new LinkStore(store.db);
  const seller = { id: 'shop-1', keys: generateEd25519() };
  const upserts = Array.from({ length: 100_000 }, (_, i) => ({
    txn: `M-${i}`,
    verifier: { salt: b64uEncode(Buffer.alloc(16, i % 251)), logN: 15, r: 8, p: 1, key: b64uEncode(Buffer.alloc(32, i % 241)) },
    size: 'M',
    holdUntil: '2026-12-31T00:00:00Z',
    due: { amount: 1000 + (i % 7), currency: 'JPY' },
  }));
  const body = { type: 'manifest', id: uuidv7(), at: rfc3339(Date.now()), sellerId: 'shop-1', kioskId: 'kiosk-1', seq: 1, upserts, cancels: [] };
  const payload = encodeEnvelope(signEnvelope(body, seller));
  const trust = createTrustStore({ 'shop-1': [seller.keys.publicKey.toString('hex')] });

  const t0 = performance.now();
  // The same steps the link takes, without the 4 MiB envelope cap (this payload is far above it).
  const opened = openEnvelope(payload.toString('utf8'), trust);
  let bodyObj: Record<string, unknown>;
  if (opened.ok) bodyObj = opened.body;
  else bodyObj = body; // Over the cap: open says malformed; time the rest on the body itself.
  const t1 = performance.now();
  const m = readManifest(bodyObj);
  if (!m.ok) throw new Error(m.reason);
  const t2 = performance.now();
  const out = applyManifest(store, links, m.value, Date.now(), silentLog);
  const t3 = performance.now();
  if (!out.applied) throw new Error('bench: manifest not applied');
  console.log(
    `  100,000-upsert manifest (with verifiers, ${(payload.length / 1048576).toFixed(1)} MiB as an envelope): ` +
      `validate ${ms(t2 - t1)}, apply in one transaction ${ms(t3 - t2)}, total ${ms(t3 - t1)} (goal <= 1000 ms); ` +
      `${opened.ok ? `signature+parse ${ms(t1 - t0)}` : 'over the 4 MiB envelope cap, so it could not arrive in one message'}`,
  );
  console.log(`  all of it is synchronous: the event loop is held for the whole ${ms(t3 - t1)} (nothing else runs meanwhile)`);
  // A second apply of 100,000 updates (the parcels exist now).
  const m2 = readManifest({ ...body, id: uuidv7(), seq: 2 });
  if (!m2.ok) throw new Error(m2.reason);
  const t4 = performance.now();
  applyManifest(store, links, m2.value, Date.now(), silentLog);
  console.log(`  the same 100,000 again as updates: ${ms(performance.now() - t4)}`);
  store.close();
}

async function manifestOverBroker(url: string, dir: string): Promise<void> {
  const seller: Signer = { id: 'shop-1', keys: generateEd25519() };
  const store = openStore(join(dir, 'kiosk.db'));
  const link = benchLink(store, url, { id: 'kiosk-1', keys: generateEd25519() }, seller.keys.publicKey.toString('hex'));
  link.start();
  await waitFor(() => link.connected, 'the link to connect');
  // The largest manifest of 100,000 parcels that fits the kiosk's 4 MiB envelope cap: txn-only entries.
  const upserts = Array.from({ length: 100_000 }, (_, i) => ({ txn: `W${String(i).padStart(6, '0')}` }));
  const body = { type: 'manifest', id: uuidv7(), at: rfc3339(Date.now()), sellerId: 'shop-1', kioskId: 'kiosk-1', seq: 1, upserts, cancels: [] };
  const payload = encodeEnvelope(signEnvelope(body, seller));
  const outcome = new Promise<{ ok: true; txMs: number } | { ok: false; reason: string }>((resolve) => {
    link.once('manifest', (m) => resolve({ ok: true, txMs: m.ms }));
    link.once('dropped', (d) => resolve({ ok: false, reason: d.reason }));
  });
  const c = await mqtt.connectAsync(url, { protocolVersion: 4 });
  const watch = loopWatch();
  const t = performance.now();
  await c.publishAsync('pk/v1/kiosk/kiosk-1/manifest', payload, { qos: 1 });
  const r = await outcome;
  const total = performance.now() - t;
  const held = await watch.stop();
  if (r.ok) {
    console.log(
      `  100,000 txn-only upserts (${(payload.length / 1048576).toFixed(2)} MiB) through the broker: published to applied ${ms(total)} ` +
        `(the transaction ${ms(r.txMs)}; event loop held up to ${ms(held)} at once)`,
    );
  } else {
    console.log(`  100,000 txn-only upserts through the broker: dropped (${r.reason})`);
  }
  await c.endAsync();
  await link.stop();
  store.close();
}

export async function run(): Promise<void> {
  const broker = await startBroker();
  const root = mkdtempSync(join(tmpdir(), 'pk-bench-link-'));
  const sub = (name: string): string => join(root, name);
  try {
    console.log(`broker: ${broker.name}; databases on ${root} (WAL, synchronous FULL)`);
    await onlineCheck(broker.url, sub('verify'));
    await queuedEvents(broker.url, sub('events'), 10_000, 10_000);
    await queuedEventsKioskSide(broker.url, sub('events-kiosk'), 10_000);
    await queuedEvents(broker.url, sub('events-ordered'), 1_000, 10);
    bigManifest(sub('manifest'));
    await manifestOverBroker(broker.url, sub('manifest-wire'));
  } finally {
    await broker.close();
    rmSync(root, { recursive: true, force: true });
  }
}
