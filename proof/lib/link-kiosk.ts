/**
 * The link and the seller in one process, for the proof and the tests: real brokers (a private
 * Mosquitto or the embedded aedes, both restartable on their port), a kiosk
 * with its store and link, signed messages as sellers and kiosks make them,
 * and a polling wait.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rfc3339, systemClock, type Clock } from '../../src/core/clock.js';
import {
  createTrustStore,
  encodeEnvelope,
  generateEd25519,
  generateX25519,
  signEnvelope,
  uuidv7,
  type Signer,
} from '../../src/domain/index.js';
import { SellerLink, startEmbeddedBroker, type EmbeddedBroker, type SellerLinkOptions } from '../../src/link/index.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { openStore, type Store } from '../../src/store/index.js';
import { Broker as Mosquitto } from './mosquitto.js';

function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type BrokerKind = 'mosquitto' | 'aedes';

export interface TestBroker {
  kind: BrokerKind;
  url: string;
  port: number;
  /** An outage: connections drop, nothing listens. */
  stop(): Promise<void>;
  /** Back on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startBroker(kind: BrokerKind): Promise<TestBroker> {
  if (kind === 'mosquitto') {
    const m = await Mosquitto.start();
    return { kind, url: m.url, port: m.port, stop: () => m.stop(), start: () => m.start(), close: () => m.close() };
  }
  let b: EmbeddedBroker | null = await startEmbeddedBroker({ port: 0 });
  const port = b.port;
  return {
    kind,
    url: b.url,
    port,
    stop: async () => {
      await b?.close();
      b = null;
    },
    start: async () => {
      b ??= await startEmbeddedBroker({ port });
    },
    close: async () => {
      await b?.close();
      b = null;
    },
  };
}

/** Polls `cond` every 10 ms until true; throws naming `what` after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A plain MQTT 3.1.1 client for publishing what a test wants and watching topics. */
export async function rawClient(url: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, ...opts });
}

export function sellerSigner(id: string): Signer {
  return { id, keys: generateEd25519() };
}

/** A signed manifest payload as a seller makes it; `over` replaces or adds body members. */
export function manifestPayload(
  signer: Signer,
  kioskId: string,
  seq: number,
  upserts: unknown[],
  cancels: unknown[] = [],
  over: Record<string, unknown> = {},
): Buffer {
  const body = { type: 'manifest', id: uuidv7(), at: rfc3339(Date.now()), sellerId: signer.id, kioskId, seq, upserts, cancels, ...over };
  return encodeEnvelope(signEnvelope(body, signer));
}

export function signed(signer: Signer, body: Record<string, unknown>): Buffer {
  return encodeEnvelope(signEnvelope({ id: uuidv7(), at: rfc3339(Date.now()), ...body }, signer));
}

export interface Kiosk {
  id: string;
  store: Store;
  link: SellerLink;
  signer: Signer;
  /** The identity JSON a seller registers. */
  identity: { kioskId: string; ed25519Public: string; x25519Public: string; kid: string };
  /** Writes a signed event row into the outbox the way the flows do, and kicks the link. */
  addEvent(sellerId: string, txn: string, type: string, extra?: Record<string, unknown>, eventId?: string): string;
  addAlarm(kind: string): string;
  close(): Promise<void>;
}

export interface KioskOptions {
  url: string;
  kioskId?: string;
  /** Trusted signers by id: an Ed25519 key pair, or just its public key. */
  sellers: Record<string, { publicKey: Buffer }>;
  operators?: Record<string, { publicKey: Buffer }>;
  clock?: Clock;
  log?: Log;
  outboxRetry?: { startMs: number; maxMs: number };
  dir?: string;
  link?: Partial<SellerLinkOptions>;
}

export function makeKiosk(o: KioskOptions): Kiosk {
  const kioskId = o.kioskId ?? 'kiosk-1';
  const tmp = o.dir === undefined ? tempDir('pk-link-') : null;
  const store = openStore(`${o.dir ?? tmp!.dir}/kiosk.db`);
  const keys = generateEd25519();
  const x = generateX25519();
  const signer: Signer = { id: kioskId, keys };
  const trust = (m: Record<string, { publicKey: Buffer }>) =>
    createTrustStore(Object.fromEntries(Object.entries(m).map(([id, k]) => [id, [k.publicKey.toString('hex')]])));
  const clock = o.clock ?? systemClock;
  const link = new SellerLink({
    kioskId,
    brokerUrl: o.url,
    keepaliveSeconds: 30,
    reconnectMaxMs: 500,
    reconnectMinMs: 50,
    store,
    signer,
    sellers: trust(o.sellers),
    operators: trust(o.operators ?? {}),
    clock,
    log: o.log ?? silentLog,
    outboxRetry: o.outboxRetry ?? { startMs: 300, maxMs: 2000 },
    lockerCounts: () => ({ free: 5, total: 12 }),
    version: '0.1.0-test',
    ...o.link,
  });
  const kiosk: Kiosk = {
    id: kioskId,
    store,
    link,
    signer,
    identity: { kioskId, ed25519Public: keys.publicKey.toString('hex'), x25519Public: x.publicKey.toString('hex'), kid: keys.kid },
    addEvent(sellerId, txn, type, extra = {}, eventId) {
      const now = clock.now();
      const id = eventId ?? uuidv7(now);
      const body = { type, id, at: rfc3339(now), kioskId, txn, ...extra };
      store.tx(() =>
        store.outbox.add(
          { eventId: id, topic: `pk/v1/seller/${sellerId}/events`, payload: encodeEnvelope(signEnvelope(body, signer)), kind: type, parcelKey: `${sellerId}/${txn}` },
          now,
        ),
      );
      link.kick();
      return id;
    },
    addAlarm(kind) {
      const now = clock.now();
      const id = uuidv7(now);
      const body = { type: 'kiosk.alarm', id, at: rfc3339(now), kioskId, kind, compartmentId: null, detail: 'test' };
      store.tx(() =>
        store.outbox.add(
          { eventId: id, topic: `pk/v1/kiosk/${kioskId}/alarm`, payload: encodeEnvelope(signEnvelope(body, signer)), kind: 'kiosk.alarm', parcelKey: null },
          now,
        ),
      );
      link.kick();
      return id;
    },
    async close() {
      await link.stop();
      store.close();
      tmp?.cleanup();
    },
  };
  return kiosk;
}

/** A seller's public key as the kiosk's trust wants it, from the seller's identity. */
export function publicKeyOf(identity: { ed25519Public: string }): { publicKey: Buffer } {
  return { publicKey: Buffer.from(identity.ed25519Public, 'hex') };
}

/** Starts the link and resolves once it is connected. */
export async function connectKiosk(k: Kiosk, ms = 10_000): Promise<void> {
  k.link.start();
  await waitFor(() => k.link.connected, `kiosk ${k.id} to connect`, ms);
}

/** Everything in the kiosk's parcels table, for "nothing changed" comparisons. */
export function parcelRows(store: Store): unknown[] {
  return store.db.prepare('SELECT * FROM parcels ORDER BY seller_id, txn').all();
}
