/**
 * Hostile broker: the kiosk's broker is a scripted MQTT server (a plain
 * net.Server) that answers each connection with a different malformed
 * packet or stream. The kiosk must stay up, keep serving pickups offline, and
 * give back the memory a session took.
 */
import net from 'node:net';
import { createScene, loadMany, pickupSteps, runSteps, toIdle } from './lib/scene.js';
import { issueParcels } from './lib/seller.js';
import { sleep, type Say } from './lib/util.js';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KioskProcess } from './lib/kiosk.js';

export interface HostileResult {
  scenarios: number;
  sessions: number;
  stayedUp: boolean;
  pickups: number;
  pickupsOk: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssAfterMiB: number;
  /** The kiosk's own V8 heap in use and external memory (Buffers), from its /metrics, at the same moments. */
  heapBeforeMiB: number;
  heapPeakMiB: number;
  heapAfterMiB: number;
  externalPeakMiB: number;
  externalAfterMiB: number;
  /** After a full garbage collection (the one a heap snapshot starts with): what is really still held. */
  heapAfterGcMiB: number;
  externalAfterGcMiB: number;
  /** RSS the kiosk gained while each script's session was the latest one (MiB, summed over rounds). */
  rssGrowthByScript: Record<string, number>;
  /** The heap snapshot taken (kept with PROOF_KEEP), or null when it could not be taken. */
  heapSnapshot: string | null;
}

const MiB = 1024 * 1024;

async function heapOf(k: KioskProcess): Promise<{ heap: number; external: number }> {
  const m = await k.metrics();
  return { heap: (m.get('nodejs_heap_size_used_bytes') ?? 0) / MiB, external: (m.get('nodejs_external_memory_bytes') ?? 0) / MiB };
}

/** SIGUSR2 → the kiosk writes a heap snapshot (after a full GC); answers its path once it is whole. */
async function heapSnapshot(k: KioskProcess, dir: string): Promise<string | null> {
  k.signal('SIGUSR2');
  const end = Date.now() + 60_000;
  let last = -1;
  while (Date.now() < end) {
    await sleep(500);
    const f = readdirSync(dir).find((x) => x.endsWith('.heapsnapshot'));
    if (f === undefined) continue;
    const size = statSync(join(dir, f)).size;
    if (size > 0 && size === last) return join(dir, f);
    last = size;
  }
  return null;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

function str(s: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(s.length);
  return Buffer.concat([len, s]);
}

function publish(topic: Buffer, payload: Buffer, flags = 0x30): Buffer {
  const body = Buffer.concat([str(topic), payload]);
  return Buffer.concat([Buffer.from([flags]), varint(body.length), body]);
}

const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const kioskTopic = (id: string, rest: string): Buffer => Buffer.from(`pk/v1/kiosk/${id}/${rest}`);

/** What the server does with one connection, once the kiosk's CONNECT arrived. */
type Script = (s: net.Socket, kioskId: string) => Promise<void>;

export const SCRIPTS: Array<[string, Script]> = [
  ['short CONNACK (1 byte of 2)', async (s) => void s.write(Buffer.from([0x20, 0x01, 0x00]))],
  ['CONNACK with a 5-byte remaining length', async (s) => void s.write(Buffer.from([0x20, 0xff, 0xff, 0xff, 0xff, 0x7f]))],
  ['CONNACK refusing with an unknown return code', async (s) => void s.write(Buffer.from([0x20, 0x02, 0x00, 0x99]))],
  ['two CONNACKs', async (s) => void s.write(Buffer.concat([CONNACK, CONNACK]))],
  ['PUBLISH with QoS 3', async (s, id) => void s.write(Buffer.concat([CONNACK, publish(kioskTopic(id, 'manifest'), Buffer.from('{}'), 0x36)]))],
  [
    'PUBLISH whose topic length runs past the packet',
    async (s) => void s.write(Buffer.concat([CONNACK, Buffer.from([0x30, 0x04, 0x7f, 0xff, 0x61, 0x62])])),
  ],
  ['PUBLISH with an invalid UTF-8 topic', async (s) => void s.write(Buffer.concat([CONNACK, publish(Buffer.from([0x70, 0x6b, 0xff, 0xfe, 0xc0, 0x80]), Buffer.from('x'))]))],
  ['PUBLISH to a wildcard topic', async (s) => void s.write(Buffer.concat([CONNACK, publish(Buffer.from('pk/v1/kiosk/#'), Buffer.from('x'))]))],
  ['PUBLISH to a topic with a NUL', async (s, id) => void s.write(Buffer.concat([CONNACK, publish(Buffer.from(`pk/v1/kiosk/${id}/ack\u0000x`), Buffer.from('x'))]))],
  ['PUBLISH of garbage on the ack topic', async (s, id) => void s.write(Buffer.concat([CONNACK, publish(kioskTopic(id, 'ack'), Buffer.from([0xff, 0x00, 0x7b, 0x22]))]))],
  [
    'huge remaining length (256 MiB announced), 16 MiB sent',
    async (s, id) => {
      s.write(Buffer.concat([CONNACK, Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), str(kioskTopic(id, 'manifest'))]));
      const chunk = Buffer.alloc(1 << 20, 0x41);
      for (let i = 0; i < 16 && !s.destroyed; i++) {
        s.write(chunk);
        await sleep(5);
      }
    },
  ],
  [
    'an 8 MiB message on the manifest topic',
    async (s, id) => void s.write(Buffer.concat([CONNACK, publish(kioskTopic(id, 'manifest'), Buffer.alloc(8 << 20, 0x7b))])),
  ],
  ['SUBACK failures for every subscription', async (s) => void s.write(Buffer.concat([CONNACK, Buffer.from([0x90, 0x03, 0x00, 0x01, 0x80])]))],
  ['PUBACK and PUBREL for packets never sent', async (s) => void s.write(Buffer.concat([CONNACK, Buffer.from([0x40, 0x02, 0x12, 0x34, 0x62, 0x02, 0x43, 0x21])]))],
  ['an unknown packet type (0) and a reserved one (15)', async (s) => void s.write(Buffer.concat([CONNACK, Buffer.from([0x00, 0x00, 0xf0, 0x00])]))],
  ['random bytes', async (s) => void s.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)))],
  ['CONNACK, then silence (no PINGRESP)', async () => undefined],
  ['a PINGRESP flood', async (s) => void s.write(Buffer.concat([CONNACK, Buffer.alloc(200_000, 0).map((_, i) => (i % 2 === 0 ? 0xd0 : 0x00))]))],
];

/** The server: each connection gets the next script after the client's first bytes. */
function hostileServer(kioskId: string): { server: net.Server; sessions: () => number; ready: Promise<number> } {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.once('data', () => {
      const [, script] = SCRIPTS[n % SCRIPTS.length];
      n++;
      void script(s, kioskId)
        .catch(() => undefined)
        .then(() => sleep(300))
        .then(() => s.destroy());
    });
  });
  const ready = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return { server, sessions: () => n, ready };
}

export async function hostileProof(o: { rounds: number; say: Say; /** extra environment for the kiosk (an allocator setting, say) */ env?: Record<string, string> }): Promise<HostileResult> {
  const pickups = 2 * o.rounds + 2;
  const scene = await createScene({ name: 'hostile', compartments: pickups + 2 });
  const { kiosk: k, seller } = scene;
  const hostile = hostileServer(scene.kioskId);
  try {
    const parcels = await issueParcels(seller, scene.kioskId, pickups, 'H');
    await loadMany(k, seller.sellerId, parcels);
    // The same kiosk, now pointed at the hostile server.
    const port = await hostile.ready;
    await k.stop();
    const config = JSON.parse(readFileSync(k.configPath, 'utf8')) as { broker: { url: string } };
    config.broker.url = `mqtt://127.0.0.1:${port}`;
    writeFileSync(k.configPath, JSON.stringify(config, null, 2));
    const snapDir = join(scene.dir, 'heap');
    mkdirSync(snapDir);
    k.nodeArgs = ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapDir}`];
    k.env = o.env ?? {};
    await k.start();
    await sleep(1000);
    const before = k.rssMiB();
    const heap0 = await heapOf(k);
    let peak = before;
    let heapPeak = heap0.heap;
    let externalPeak = heap0.external;
    const growth: Record<string, number> = {};
    let lastRss = before;
    let ok = 0;
    let done = 0;
    const target = SCRIPTS.length * o.rounds;
    const end = Date.now() + 60_000 * o.rounds;
    while (hostile.sessions() < target && Date.now() < end) {
      if (done < parcels.length && hostile.sessions() >= (done * target) / parcels.length) {
        await toIdle(k);
        try {
          await runSteps(pickupSteps(k, seller.sellerId, parcels[done], done % 2 === 0 ? 'keypad' : 'scan', { compartment: null, taken: false }));
          ok++;
        } catch {
          // counted as not served
        }
        done++;
      }
      const rss = k.rssMiB();
      peak = Math.max(peak, rss);
      const latest = SCRIPTS[(hostile.sessions() + SCRIPTS.length - 1) % SCRIPTS.length][0];
      growth[latest] = (growth[latest] ?? 0) + (rss - lastRss);
      lastRss = rss;
      const h = await heapOf(k);
      heapPeak = Math.max(heapPeak, h.heap);
      externalPeak = Math.max(externalPeak, h.external);
      await sleep(100);
    }
    o.say(`  hostile broker: ${hostile.sessions()} sessions`);
    for (; done < parcels.length; done++) {
      await toIdle(k);
      try {
        await runSteps(pickupSteps(k, seller.sellerId, parcels[done], 'scan', { compartment: null, taken: false }));
        ok++;
      } catch {
        // counted as not served
      }
    }
    await sleep(3000); // time to give memory back
    const after = k.rssMiB();
    const heap1 = await heapOf(k);
    const stayedUp = k.running;
    peak = Math.max(peak, after);
    hostile.server.close(); // no more sessions while the snapshot is taken
    const snap = await heapSnapshot(k, snapDir);
    const heap2 = await heapOf(k);
    if (snap !== null && process.env.PROOF_KEEP === undefined) rmSync(snap, { force: true });
    return {
      scenarios: SCRIPTS.length,
      sessions: hostile.sessions(),
      stayedUp,
      pickups: parcels.length,
      pickupsOk: ok,
      rssBeforeMiB: before,
      rssPeakMiB: peak,
      rssAfterMiB: after,
      heapBeforeMiB: heap0.heap,
      heapPeakMiB: Math.max(heapPeak, heap1.heap),
      heapAfterMiB: heap1.heap,
      externalPeakMiB: Math.max(externalPeak, heap1.external),
      externalAfterMiB: heap1.external,
      heapAfterGcMiB: heap2.heap,
      externalAfterGcMiB: heap2.external,
      rssGrowthByScript: Object.fromEntries(Object.entries(growth).filter(([, v]) => v >= 1).map(([name, v]) => [name, Math.round(v)])),
      heapSnapshot: snap,
    };
  } finally {
    hostile.server.close();
    await scene.close();
  }
}

