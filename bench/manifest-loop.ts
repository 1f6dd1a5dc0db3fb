/**
 * How long a big manifest holds the event loop: a 100,000-parcel manifest
 * (txn only, as a seller announcing parcels would send them) handed to the
 * link's inbound handler as the broker would hand it (opened, its signature
 * checked and its entries read in a worker thread, the entries taken back in
 * pieces, then applied to SQLite in chunks), while "key presses" (timers due
 * at once, one every 10 ms) wait for their turn. Prints the longest single
 * hold of the event loop from arrival to the last chunk, the chunks' times and
 * how late the key presses were answered.
 * Targets: no hold over 20 ms; a key press answered within 50 ms.
 * MANIFEST_WORKER=off opens it on the main thread instead, for comparison.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rfc3339, systemClock } from '../src/core/clock.js';
import { silentLog } from '../src/core/log.js';
import { createTrustStore, encodeEnvelope, generateEd25519, openEnvelope, signEnvelope, uuidv7 } from '../src/domain/index.js';
import { DropLog } from '../src/link/drops.js';
import { Inbound } from '../src/link/inbound.js';
import { readManifest } from '../src/link/messages.js';
import { OnlineChecks } from '../src/link/verify.js';
import { LinkStore } from '../src/store/link-store.js';
import { openStore } from '../src/store/index.js';

const N = 100_000;

/** The main thread's time on a CPU so far (ms), from Linux's schedstat; null elsewhere. */
function threadCpuMs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

/**
 * Every stretch between two turns of the event loop, in order, until stopped:
 * a timer due every millisecond (not setImmediate, whose spinning would take a
 * core from the worker on a two-core kiosk), so a stretch is at most 1 ms
 * longer than the hold it measures. With each, the main thread's CPU time in
 * it: on a loaded machine a stretch also holds the time the thread waited for
 * a core, its CPU time is what the hold would be on an idle one.
 */
function watchLoop(): { stop(): { wall: number[]; cpu: number[] } } {
  let last = performance.now();
  let lastCpu = threadCpuMs();
  const wall: number[] = [];
  const cpu: number[] = [];
  let on = true;
  const tick = (): void => {
    const t = performance.now();
    const c = threadCpuMs();
    wall.push(t - last);
    if (c !== null && lastCpu !== null) cpu.push(c - lastCpu);
    last = t;
    lastCpu = c;
    if (on) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  return {
    stop() {
      on = false;
      return { wall: wall.slice(), cpu: cpu.slice() };
    },
  };
}

/** A key press every 10 ms; how late each was answered. */
function pressKeys(): { stop(): number[] } {
  const late: number[] = [];
  let on = true;
  const press = (): void => {
    if (!on) return;
    const at = performance.now();
    setTimeout(() => {
      late.push(performance.now() - at);
      setTimeout(press, 10);
    }, 0);
  };
  press();
  return {
    stop() {
      on = false;
      return late.slice();
    },
  };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pk-bench-manifest-'));
  const store = openStore(join(dir, 'kiosk.db'));
  try {
    const seller = { id: 'shop-a', keys: generateEd25519() };
    const kiosk = { id: 'kiosk-1', keys: generateEd25519() };
    const trust = createTrustStore({ [seller.id]: [seller.keys.publicKey.toString('hex')] });
    const upserts = Array.from({ length: N }, (_, i) => ({ txn: `T${String(i).padStart(9, '0')}` }));
    const now = Date.now();
    const payload = encodeEnvelope(signEnvelope({ type: 'manifest', id: uuidv7(now), at: rfc3339(now), sellerId: seller.id, kioskId: kiosk.id, seq: 1, upserts, cancels: [] }, seller));

    // What opening costs, timed here on the main thread for comparison (the kiosk does it in the worker).
    const t0 = performance.now();
    const opened = openEnvelope(payload, trust, now);
    const t1 = performance.now();
    if (!opened.ok) throw new Error(`envelope ${opened.reason}`);
    const m = readManifest(opened.body);
    const t2 = performance.now();
    if (!m.ok) throw new Error(m.reason);
    globalThis.gc?.();

    const chunkMs: number[] = [];
    let firstChunkAt = 0;
    let applied = 0;
    const inbound = new Inbound({
      kioskId: kiosk.id,
      store,
      links: new LinkStore(store.db),
      sellers: trust,
      operators: createTrustStore({}),
      clock: systemClock,
      log: silentLog,
      drops: new DropLog(silentLog, systemClock),
      checks: new OnlineChecks({ kioskId: kiosk.id, signer: kiosk, clock: systemClock, isUp: () => true, publish: () => Promise.resolve() }),
      onManifest: (r) => (applied = r.inserted),
      onAck: () => undefined,
      onDrop: (d) => console.log(`  dropped: ${d.reason}`),
      manifestWorker: process.env.MANIFEST_WORKER === 'off' ? { url: null } : {},
      manifestChunks: {
        onChunk: (_done, _total, ms) => {
          if (chunkMs.length === 0) firstChunkAt = performance.now() - ms;
          chunkMs.push(ms);
        },
      },
    });
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 10);
    const loop = watchLoop();
    const keys = pressKeys();
    const a0 = performance.now();
    await inbound.handle(`pk/v1/kiosk/${kiosk.id}/manifest`, payload);
    const a1 = performance.now();
    const { wall: gaps, cpu } = loop.stop();
    const late = keys.stop().sort((a, b) => a - b);
    await inbound.idle();
    clearInterval(rssTimer);
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 100));
    globalThis.gc?.();
    const rssAfter = process.memoryUsage.rss();
    // Each gap ends at a turn of the loop; those ending before the first chunk began are the arrival's.
    let at = a0;
    let arrival = 0;
    for (const g of gaps) {
      at += g;
      if (at - g < firstChunkAt) arrival = Math.max(arrival, g);
    }
    const longest = gaps.reduce((a, b) => Math.max(a, b), 0);
    const chunks = [...chunkMs].sort((a, b) => a - b);
    const q = (xs: number[], p: number): string => (xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN).toFixed(1);
    console.log(`manifest of ${N.toLocaleString('en')} parcels (${(payload.length / 1048576).toFixed(1)} MiB envelope), ${applied.toLocaleString('en')} applied`);
    console.log(`  on the main thread these would take: open + verify ${(t1 - t0).toFixed(0)} ms, read ${(t2 - t1).toFixed(0)} ms`);
    console.log(`  handled in ${(a1 - a0).toFixed(0)} ms: opened ${process.env.MANIFEST_WORKER === 'off' ? 'on the main thread' : 'in a worker'} and taken in for ${(firstChunkAt - a0).toFixed(0)} ms, then ${chunks.length} chunks`);
    console.log(`  longest single event-loop hold (≤ this stretch between two 1 ms timer turns) ${longest.toFixed(1)} ms (target ≤ 20 ms)`);
    if (cpu.length > 0) {
      const cs = [...cpu].sort((a, b) => a - b);
      console.log(`    the same in the main thread's CPU time: longest ${(cs.at(-1) ?? NaN).toFixed(1)} ms, p99 ${q(cs.filter((c) => c > 1), 0.99)} ms of those over 1 ms`);
    }
    console.log(`    from arrival to the first chunk's start: longest hold ${arrival.toFixed(1)} ms`);
    console.log(`    the chunks: p50 ${q(chunks, 0.5)} ms, max ${(chunks.at(-1) ?? NaN).toFixed(1)} ms`);
    const mib = (b: number): string => (b / 1048576).toFixed(0);
    console.log(`  RSS ${mib(rssBefore)} MiB before, ${mib(rssPeak)} MiB at most meanwhile, ${mib(rssAfter)} MiB after (garbage collected)`);
    console.log(`  key presses during it: ${late.length}, answered after p50 ${q(late, 0.5)} ms, p99 ${q(late, 0.99)} ms, max ${(late.at(-1) ?? NaN).toFixed(1)} ms (target ≤ 50 ms)`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
