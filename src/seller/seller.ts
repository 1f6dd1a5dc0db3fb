/**
 * The reference seller, usable in process (demo, tests, bench) and behind
 * `pickup-kiosk seller …`: issues codes, slips, labels and manifests; serves
 * verify requests and kiosk events over MQTT.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TypedEmitter } from '../core/events.js';
import { systemClock, type Clock } from '../core/clock.js';
import { createTrustStore, type TrustStore } from '../domain/index.js';
import { MqttSession } from '../link/session.js';
import type { TlsFiles } from '../link/socket.js';
import { silentLog, type Log } from '../core/log.js';
import { openSellerDb, SellerStore, type KioskRow, type RecordedEvent, type SellerParcel } from './db.js';
import { chunk, holdUntilOf, makeParcelSecrets, manifestPayload, newTxn, resolveIssue, upsertOf, type IssueOptions, type Issued } from './issue.js';
import { makeLabelPng } from './label.js';
import { createSellerKey, loadSellerKey, parseKioskIdentity, SellerError, sellerIdentity, type SellerIdentity, type SellerKey } from './keys.js';
import { SellerService, type ProofProblem, type VerifyHandled } from './serve.js';

export interface ReferenceSellerOptions {
  /** Holds seller.json (the key), seller.db and labels/. */
  dir: string;
  clock?: Clock;
  log?: Log;
  /** Failed online checks per parcel before it answers `locked`. Default 5. */
  failureLimit?: number;
}

export interface SellerConnectOptions {
  brokerUrl: string;
  tls?: TlsFiles;
  username?: string;
  password?: string;
  keepaliveSeconds?: number;
  reconnectMaxMs?: number;
  /** Subscribe and answer (serve). false: publish only (issue, cancel, push). Default true. */
  serve?: boolean;
  /** Shared-subscription group (several seller processes share the load); null: a plain subscription. Default "sellers". */
  share?: string | null;
  /** Wait this long for the first connection, else reject; null: do not wait. Default 10 s. */
  waitMs?: number | null;
}

export interface SellerEvents {
  [k: string]: unknown[];
  /** An event recorded for the first time (the page shows these as they come). */
  event: [RecordedEvent];
  verify: [VerifyHandled];
  'proof-problem': [ProofProblem];
  dropped: [{ topic: string; reason: string; by: string | null }];
  connected: [];
  disconnected: [reason: string];
}

/** Upserts per manifest when resending everything (a verifier entry is ~170 bytes; the kiosk caps an envelope at 4 MiB). */
const PUSH_CHUNK = 10_000;

export class ReferenceSeller extends TypedEmitter<SellerEvents> {
  readonly store: SellerStore;
  private readonly key: SellerKey;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly service: SellerService;
  private trust: TrustStore;
  private trustReadAt = 0;
  /**
   * The kiosks' keys as the service sees them: a signer not known yet makes it
   * read the kiosks table again (at most once a second), so a kiosk added by
   * another seller process (`seller kiosk add`) is trusted without a restart.
   */
  private readonly liveTrust: TrustStore = {
    keys: (id) => {
      const known = this.trust.keys(id);
      if (known.length > 0 || this.clock.now() - this.trustReadAt < 1000) return known;
      this.trustReadAt = this.clock.now();
      this.trust = this.buildTrust();
      return this.trust.keys(id);
    },
  };
  private session: MqttSession | null = null;

  /** Makes the seller's key in `dir` (refuses to overwrite one). */
  static keygen(dir: string, sellerId: string): SellerIdentity {
    return sellerIdentity(createSellerKey(dir, sellerId));
  }

  /** Opens the seller in `dir` (its key must exist: see keygen). */
  static open(o: ReferenceSellerOptions): ReferenceSeller {
    return new ReferenceSeller(o, loadSellerKey(o.dir));
  }

  private constructor(
    private readonly o: ReferenceSellerOptions,
    key: SellerKey,
  ) {
    super();
    this.key = key;
    this.clock = o.clock ?? systemClock;
    this.log = (o.log ?? silentLog).child({ module: 'seller', sellerId: key.sellerId });
    this.store = new SellerStore(openSellerDb(join(o.dir, 'seller.db')));
    this.trust = this.buildTrust();
    this.service = new SellerService(key, this.store, () => this.liveTrust, this.clock, this.log, o.failureLimit ?? 5, {
      publish: (topic, payload) => this.publishQuiet(topic, payload),
      onEvent: (e) => this.emit('event', e),
      onVerify: (v) => this.emit('verify', v),
      onProofProblem: (p) => this.emit('proof-problem', p),
      onDrop: (d) => this.emit('dropped', d),
    });
  }

  get id(): string {
    return this.key.sellerId;
  }

  get connected(): boolean {
    return this.session?.isUp ?? false;
  }

  identity(): SellerIdentity {
    return sellerIdentity(this.key);
  }

  /** Registers (or updates) a kiosk from its `pickup-kiosk identity` JSON. */
  addKiosk(identityJson: unknown): KioskRow {
    const k = parseKioskIdentity(identityJson);
    this.store.putKiosk({ kioskId: k.kioskId, ed25519: k.ed25519Public, x25519: k.x25519Public }, this.clock.now());
    this.trust = this.buildTrust();
    return this.store.kiosk(k.kioskId)!;
  }

  kiosks(): KioskRow[] {
    return this.store.kiosks();
  }

  parcel(txn: string): SellerParcel | null {
    return this.store.parcel(txn);
  }

  /** Most recent first. */
  events(limit = 100): RecordedEvent[] {
    return this.store.events(limit);
  }

  /** Connects to the broker (and, with serve, subscribes and answers). */
  async connect(c: SellerConnectOptions): Promise<void> {
    if (this.session !== null) throw new SellerError('bad-option', 'already connected: stop() first');
    const serve = c.serve ?? true;
    const share = c.share === undefined ? 'sellers' : c.share;
    const topic = `pk/v1/seller/${this.key.sellerId}/#`;
    const session = new MqttSession({
      url: c.brokerUrl,
      clientId: `${this.key.sellerId}.${randomBytes(4).toString('hex')}`,
      clean: true,
      keepaliveSeconds: c.keepaliveSeconds ?? 30,
      reconnectMaxMs: c.reconnectMaxMs ?? 10_000,
      tls: c.tls,
      username: c.username,
      password: c.password,
      subscriptions: serve ? [{ topic: share === null ? topic : `$share/${share}/${topic}`, qos: 1 }] : [],
      clock: this.clock,
      log: this.log,
    });
    this.session = session;
    session.on('message', (t, p) => this.service.handle(t, p));
    session.on('up', () => this.emit('connected'));
    session.on('down', (reason) => this.emit('disconnected', reason));
    const waitMs = c.waitMs === undefined ? 10_000 : c.waitMs;
    const up = waitMs === null ? null : this.waitUp(session, waitMs, c.brokerUrl);
    session.start();
    if (up !== null) await up;
  }

  /** Flushes recorded events and disconnects. */
  async stop(): Promise<void> {
    this.service.flush();
    const s = this.session;
    this.session = null;
    if (s !== null) await s.stop();
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.store.db.open) this.store.db.close();
  }

  /** Issues a parcel (code, slip, label) and pushes its manifest entry to the kiosk. */
  async issue(o: IssueOptions): Promise<Issued> {
    const now = this.clock.now();
    const kiosk = this.store.kiosk(o.kioskId);
    const { mode, code, params } = resolveIssue(o, kiosk?.x25519 != null);
    const push = o.push ?? true;
    if (push && !this.connected) throw new SellerError('not-connected', 'not connected to the broker: connect() first, or issue with push: false');
    let txn = o.txn ?? newTxn(now);
    if (o.txn === undefined) while (this.store.parcel(txn) !== null) txn = newTxn(now);
    if (this.store.parcel(txn) !== null) throw new SellerError('exists', `txn ${txn} was issued before: txns are unique per seller`);
    const holdUntil = holdUntilOf(now, o.holdDays);
    const { slip, keys } = await makeParcelSecrets(this.key, {
      mode,
      code,
      txn,
      due: o.due,
      holdUntil,
      params,
      kioskX25519: mode === 1 && kiosk?.x25519 ? Buffer.from(kiosk.x25519, 'hex') : null,
    });
    const withVerifier = o.verifier ?? true;
    const seq = this.store.tx(() => {
      this.store.insertParcel(
        { txn, kioskId: o.kioskId, mode, size: o.size ?? null, holdUntil: holdUntil ?? null, due: o.due ?? null, verifierSalt: withVerifier ? keys.salt : null },
        now,
      );
      this.store.putKeys(txn, keys);
      return push ? this.store.nextSeq(o.kioskId) : null;
    });
    let label: string | null = null;
    if (o.label ?? true) {
      const dir = join(this.o.dir, 'labels');
      mkdirSync(dir, { recursive: true });
      label = join(dir, `${txn.replace(/[^A-Za-z0-9._-]/g, '_')}.png`);
      writeFileSync(label, await makeLabelPng(slip, txn));
    }
    if (seq !== null) {
      const p = this.store.parcel(txn)!;
      await this.publish(`pk/v1/kiosk/${o.kioskId}/manifest`, manifestPayload(this.key, o.kioskId, seq, [upsertOf(p, withVerifier ? keys : null)], [], now));
    }
    this.log.info({ kioskId: o.kioskId, txn, mode, seq }, 'parcel issued');
    return { kioskId: o.kioskId, txn, code, slip, mode, label, seq };
  }

  /** Withdraws parcels: marks them cancelled here and sends each kiosk a manifest cancel. Returns manifests sent. */
  async cancel(txns: readonly string[]): Promise<number> {
    const now = this.clock.now();
    const byKiosk = new Map<string, string[]>();
    for (const txn of txns) {
      const p = this.store.parcel(txn);
      if (p === null) throw new SellerError('bad-option', `txn ${txn} was never issued by ${this.key.sellerId}`);
      byKiosk.set(p.kioskId, [...(byKiosk.get(p.kioskId) ?? []), txn]);
    }
    if (!this.connected) throw new SellerError('not-connected', 'not connected to the broker');
    for (const [kioskId, list] of byKiosk) {
      const seq = this.store.tx(() => {
        for (const txn of list) this.store.setState(txn, 'cancelled', now);
        return this.store.nextSeq(kioskId);
      });
      await this.publish(`pk/v1/kiosk/${kioskId}/manifest`, manifestPayload(this.key, kioskId, seq, [], list, now));
    }
    return byKiosk.size;
  }

  /** Sends a kiosk every parcel that may still be handed over (after a kiosk lost its session). Returns parcels sent. */
  async push(kioskId: string): Promise<number> {
    if (!this.connected) throw new SellerError('not-connected', 'not connected to the broker');
    const now = this.clock.now();
    const upserts = this.store.openParcels(kioskId).map((p) => upsertOf(p, p.verifierSalt === null ? null : this.store.keys(p.txn, p.verifierSalt)));
    for (const part of chunk(upserts, PUSH_CHUNK)) {
      const seq = this.store.nextSeq(kioskId);
      await this.publish(`pk/v1/kiosk/${kioskId}/manifest`, manifestPayload(this.key, kioskId, seq, part, [], now));
    }
    return upserts.length;
  }

  private publish(topic: string, payload: Buffer): Promise<void> {
    if (this.session === null) return Promise.reject(new SellerError('not-connected', 'not connected to the broker'));
    return this.session.publish(topic, payload, { qos: 1 });
  }

  private publishQuiet(topic: string, payload: Buffer): void {
    this.publish(topic, payload).catch((e: unknown) => this.log.warn({ topic, err: (e as Error).message }, 'publish not confirmed'));
  }

  private waitUp(session: MqttSession, ms: number, url: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        session.off('up', onUp);
        void this.stop();
        reject(new SellerError('not-connected', `no connection to the broker ${url} within ${ms} ms: is it running, and is the URL right?`));
      }, ms);
      const onUp = (): void => {
        clearTimeout(t);
        resolve();
      };
      session.once('up', onUp);
    });
  }

  private buildTrust(): TrustStore {
    return createTrustStore(Object.fromEntries(this.store.kiosks().map((k) => [k.kioskId, [k.ed25519]])));
  }
}
