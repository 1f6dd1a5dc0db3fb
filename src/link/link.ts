/**
 * The kiosk's link to its sellers over MQTT (protocol.md): a persistent
 * session as the kiosk id, the retained signed status (and the Last Will),
 * inbound manifests / acks / replies, the outbox sender, and online checks.
 */
import { TypedEmitter } from '../core/events.js';
import { rfc3339, type Clock, type TimerHandle } from '../core/clock.js';
import { encodeEnvelope, isId, signEnvelope, uuidv7, type Ed25519KeyPair, type TrustStore } from '../domain/index.js';
import type { Log } from '../core/log.js';
import type { Store } from '../store/index.js';
import { LinkStore } from '../store/link-store.js';
import { OperatorCommands, type CommandHandler } from './commands.js';
import { DropLog, type Drop } from './drops.js';
import { LinkError } from './errors.js';
import { Inbound, type AckApplied } from './inbound.js';
import type { ManifestWorkerOptions } from './manifest-open.js';
import type { ManifestApplied } from './manifest.js';
import { OutboxSender } from './sender.js';
import { MAX_INBOUND_PACKET, type Discarded } from './mqtt-guard.js';
import { MqttSession, type WillMessage } from './session.js';
import type { TlsFiles } from './socket.js';
import { OnlineChecks, type OnlineRequest, type OnlineResult } from './verify.js';

export interface SellerLinkOptions {
  kioskId: string;
  /** mqtt://host:port or mqtts://host:port (for the embedded broker: startEmbeddedBroker().url). */
  brokerUrl: string;
  tls?: TlsFiles;
  username?: string;
  password?: string;
  keepaliveSeconds: number;
  reconnectMaxMs: number;
  store: Store;
  signer: { id: string; keys: Ed25519KeyPair };
  sellers: TrustStore;
  operators: TrustStore;
  clock: Clock;
  log: Log;
  outboxRetry: { startMs: number; maxMs: number };
  lockerCounts: () => { free: number; total: number };
  version: string;
  /** More members for kiosk.status (config hash, uptime), read at each publish. */
  statusExtra?: () => Record<string, unknown>;
  /** Acts on signed operator commands (commands.ts); without it the command topic is ignored. */
  commands?: CommandHandler;
  /** First reconnect delay (default 250 ms; doubles up to reconnectMaxMs). */
  reconnectMinMs?: number;
  /** MQTT protocol level: 4 (3.1.1, default) or 5. */
  protocolVersion?: 4 | 5;
  /**
   * Called the first time in this run that the broker sent a message too large
   * to take (it was skipped and acknowledged): the app raises an operator alarm.
   */
  onOversized?: (detail: string) => void;
  /**
   * No status is published until the first setState(): the app gives it once its devices are known, so a
   * link that connects while they are still opening never says `online` for a kiosk that is not.
   */
  statusHeld?: boolean;
  /** Which manifest payloads are opened in a worker thread, and with which module (tests; default: above 256 KiB, the built worker). */
  manifestWorker?: ManifestWorkerOptions;
}

export type KioskState = 'online' | 'degraded' | 'maintenance';

export interface SellerLinkEvents {
  [k: string]: unknown[];
  connected: [];
  disconnected: [reason: string];
  manifest: [ManifestApplied];
  ack: [AckApplied];
  dropped: [Drop];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Handled message ids are kept 8 days (protocol.md asks for at least 7). */
export const HANDLED_KEEP_MS = 8 * DAY;
/** Acked outbox rows are kept a day (for the staff screens), then pruned. */
export const ACKED_KEEP_MS = DAY;

export class SellerLink extends TypedEmitter<SellerLinkEvents> {
  private readonly session: MqttSession;
  private readonly links: LinkStore;
  private readonly sender: OutboxSender;
  private readonly checks: OnlineChecks;
  private readonly inbound: Inbound;
  private readonly log: Log;
  private state: KioskState | null;
  private pruneTimer: TimerHandle | null = null;
  private started = false;
  private stopped = false;
  /** Oversized messages skipped in this run (the first raises the alarm). */
  private oversized = 0;

  constructor(private readonly o: SellerLinkOptions) {
    super();
    this.state = o.statusHeld ? null : 'online';
    if (!isId(o.kioskId)) throw new LinkError('bad-option', `kioskId ${JSON.stringify(o.kioskId)} is not 1-64 of A-Z a-z 0-9 . _ -`);
    if (o.signer.id !== o.kioskId) throw new LinkError('bad-option', 'the signer id must be the kiosk id');
    this.log = o.log.child({ module: 'link' });
    this.links = new LinkStore(o.store.db);
    const statusTopic = `pk/v1/kiosk/${o.kioskId}/status`;
    this.session = new MqttSession({
      url: o.brokerUrl,
      clientId: o.kioskId,
      clean: false,
      protocolVersion: o.protocolVersion,
      keepaliveSeconds: o.keepaliveSeconds,
      reconnectMaxMs: o.reconnectMaxMs,
      reconnectMinMs: o.reconnectMinMs,
      tls: o.tls,
      username: o.username,
      password: o.password,
      will: (): WillMessage => ({ topic: statusTopic, payload: this.statusPayload('offline'), qos: 1, retain: true }),
      subscriptions: [{ topic: `pk/v1/kiosk/${o.kioskId}/#`, qos: 1 }],
      clock: o.clock,
      log: this.log,
    });
    const publish = (topic: string, payload: Buffer): Promise<void> => this.session.publish(topic, payload, { qos: 1 });
    const isUp = (): boolean => this.session.isUp && !this.stopped;
    this.sender = new OutboxSender({
      store: o.store,
      links: this.links,
      clock: o.clock,
      log: this.log,
      retry: o.outboxRetry,
      publish,
      isUp,
    });
    this.checks = new OnlineChecks({ kioskId: o.kioskId, signer: o.signer, clock: o.clock, isUp, publish });
    this.inbound = new Inbound({
      kioskId: o.kioskId,
      store: o.store,
      links: this.links,
      sellers: o.sellers,
      operators: o.operators,
      clock: o.clock,
      log: this.log,
      drops: new DropLog(this.log, o.clock),
      checks: this.checks,
      onManifest: (r) => this.safeEmit('manifest', r),
      onAck: (r) => {
        if (r.acked > 0) this.sender.kick();
        this.safeEmit('ack', r);
      },
      onDrop: (d) => this.safeEmit('dropped', d),
      manifestWorker: o.manifestWorker,
    });
    const commandTopic = `pk/v1/kiosk/${o.kioskId}/command`;
    const operatorTopic = `pk/v1/kiosk/${o.kioskId}/operator`;
    const commands = o.commands
      ? new OperatorCommands({
          kioskId: o.kioskId,
          operators: o.operators,
          store: o.store,
          clock: o.clock,
          log: this.log.child({ ns: 'commands' }),
          handler: o.commands,
          answer: (body) => {
            this.session
              .publish(operatorTopic, encodeEnvelope(signEnvelope(body, o.signer)), { qos: 1 })
              .catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'operator answer not delivered'));
          },
        })
      : null;
    this.session.on('message', (topic, payload, hold) => {
      if (topic === operatorTopic) return; // our own answers, heard back through `#`
      if (topic === commandTopic && commands) {
        void commands.handle(payload);
        return;
      }
      const later = this.inbound.handle(topic, payload);
      if (later) hold(later);
    });
    this.session.on('discarded', (d) => this.onDiscarded(d));
    this.session.on('up', () => {
      this.publishStatus();
      this.sender.onUp();
      this.safeEmit('connected');
    });
    this.session.on('down', (reason) => {
      this.sender.onDown();
      this.checks.allOffline();
      this.safeEmit('disconnected', reason);
    });
  }

  get connected(): boolean {
    return this.session.isUp && !this.stopped;
  }

  /** Connects (and keeps reconnecting) and prunes old rows now and hourly. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.prune();
    this.session.start();
  }

  /**
   * Publishes nothing further, rejects waiting verifications and ends the
   * client without a DISCONNECT, so the broker publishes the Will (offline).
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.inbound.stop();
    this.sender.stop();
    this.checks.stop();
    if (this.pruneTimer !== null) this.o.clock.clearTimeout(this.pruneTimer);
    this.pruneTimer = null;
    await this.session.stop();
  }

  /** New outbox rows were committed: send them now. */
  kick(): void {
    if (!this.stopped) this.sender.kick();
  }

  /** Asks the seller whether the code behind `kVerify` is right (protocol.md verify.request). */
  verifyOnline(req: OnlineRequest): Promise<OnlineResult> {
    return this.checks.request(req);
  }

  /**
   * Sets the state shown in the retained status ('maintenance' while staff
   * work on the kiosk) and republishes it; call it too when locker counts change.
   */
  setState(state: KioskState): void {
    this.state = state;
    this.publishStatus();
  }

  /** Publishes the retained status now (no-op when not connected: it is sent on connect; or while held). */
  publishStatus(): void {
    if (!this.connected || this.state === null) return;
    let payload: Buffer;
    try {
      payload = this.statusPayload(this.state);
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'could not build the status message');
      return;
    }
    this.session
      .publish(`pk/v1/kiosk/${this.o.kioskId}/status`, payload, { qos: 1, retain: true })
      .catch((e: unknown) => this.log.debug({ err: (e as Error).message }, 'status not confirmed; it is sent again on the next connect'));
  }

  private statusPayload(state: KioskState | 'offline'): Buffer {
    const now = this.o.clock.now();
    let lockers = { free: 0, total: 0 };
    try {
      const c = this.o.lockerCounts();
      lockers = { free: c.free, total: c.total };
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'locker counts unavailable for the status');
    }
    const body = { ...this.o.statusExtra?.(), type: 'kiosk.status', id: uuidv7(now), at: rfc3339(now), state, version: this.o.version, lockers };
    return encodeEnvelope(signEnvelope(body, this.o.signer));
  }

  private onDiscarded(d: Discarded): void {
    this.oversized++;
    const detail = `a message of ${d.bytes} bytes on ${d.topic} is over the ${MAX_INBOUND_PACKET}-byte limit; it was skipped`;
    if (this.oversized > 1) {
      this.log.warn({ topic: d.topic, bytes: d.bytes, count: this.oversized }, 'another oversized message skipped');
      return;
    }
    this.log.error({ topic: d.topic, bytes: d.bytes }, 'oversized message skipped; check what publishes to this kiosk');
    try {
      this.o.onOversized?.(detail);
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'could not raise the oversized-message alarm');
    }
  }

  private prune(): void {
    const now = this.o.clock.now();
    try {
      const handled = this.o.store.messages.pruneHandled(now - HANDLED_KEEP_MS);
      const acked = this.o.store.outbox.pruneAcked(now - ACKED_KEEP_MS);
      if (handled + acked > 0) this.log.info({ handled, acked }, 'pruned old message ids and acked outbox rows');
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'pruning failed; will try again in an hour');
    }
    this.pruneTimer = this.o.clock.setTimeout(() => this.prune(), HOUR);
  }

  private safeEmit<K extends keyof SellerLinkEvents & string>(event: K, ...args: SellerLinkEvents[K]): void {
    try {
      this.emit(event, ...args);
    } catch (e) {
      this.log.error({ event, err: e instanceof Error ? e.stack : String(e) }, 'a link event listener threw');
    }
  }
}
