/**
 * One logical MQTT 3.1.1 or 5 connection that stays up: a fresh mqtt.js client per
 * attempt (never its own reconnect: after any error the client is ended and
 * forgotten, so no state of a broken connection leaks into the next), capped
 * backoff with jitter between attempts, subscriptions made and confirmed on
 * every connect, and every callback into our code guarded.
 *
 * "Up" means CONNACK accepted and every subscription granted.
 */
import { MqttClient, type IClientOptions, type IPublishPacket } from 'mqtt';
import { TypedEmitter } from '../core/events.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Log } from '../core/log.js';
import { backoffMs } from './backoff.js';
import { LinkError } from './errors.js';
import type { MqttLevel } from './mqtt-checks.js';
import { DISCARDED_TOPIC, MAX_INBOUND_PACKET, type Discarded } from './mqtt-guard.js';
import { GuardedStream, openBrokerSocket, parseBrokerUrl, type BrokerAddress, type TlsFiles } from './socket.js';

export interface WillMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface SessionOptions {
  url: string;
  clientId: string;
  /** false: a persistent session (the broker keeps subscriptions and queues QoS 1 while we are away). */
  clean: boolean;
  /** 4 (MQTT 3.1.1, the default) or 5. */
  protocolVersion?: MqttLevel;
  keepaliveSeconds: number;
  reconnectMaxMs: number;
  /** First retry delay; doubles up to reconnectMaxMs. Default 250 ms. */
  reconnectMinMs?: number;
  /** How long CONNACK and SUBACK may take. Default 10 s. */
  connectTimeoutMs?: number;
  tls?: TlsFiles;
  username?: string;
  password?: string;
  /** Built afresh for every connection attempt (a signed Will carries its own time). */
  will?: () => WillMessage | null;
  subscriptions: ReadonlyArray<{ topic: string; qos: 0 | 1 }>;
  clock: Clock;
  log: Log;
}

export interface SessionEvents {
  [k: string]: unknown[];
  up: [{ sessionPresent: boolean }];
  down: [reason: string];
  /** `hold(p)`: the message is acknowledged (and the next one read) once p settles. */
  message: [topic: string, payload: Buffer, hold: (p: Promise<unknown>) => void];
  /** A PUBLISH above MAX_INBOUND_PACKET was skipped (and acknowledged, so it is not sent again). */
  discarded: [Discarded];
}

/** MQTT 5 session expiry when the session is persistent: protocol.md asks for at least 7 days. */
const SESSION_EXPIRY_S = 8 * 24 * 3600;

export class MqttSession extends TypedEmitter<SessionEvents> {
  private client: MqttClient | null = null;
  private generation = 0;
  private attempt = 0;
  private retryTimer: TimerHandle | null = null;
  private subTimer: TimerHandle | null = null;
  private started = false;
  private stopped = false;
  private up = false;
  private lastLogged: string | null = null;
  private readonly pending = new Set<(e: Error) => void>();
  private readonly addr: BrokerAddress;

  constructor(private readonly o: SessionOptions) {
    super();
    this.addr = parseBrokerUrl(o.url);
  }

  get isUp(): boolean {
    return this.up;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connectNow();
  }

  /**
   * Ends the connection without a DISCONNECT packet, so the broker publishes
   * the Will; pending publishes reject; nothing reconnects.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer !== null) this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const c = this.client;
    // End first with a callback (a second end() inside drop() is a no-op), then forget the client.
    const closed =
      c === null
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 1000);
            try {
              c.end(true, () => {
                clearTimeout(t);
                resolve();
              });
            } catch {
              clearTimeout(t);
              resolve();
            }
          });
    this.drop(this.generation, 'stopped');
    await closed;
  }

  /** Publishes; QoS 1 resolves at PUBACK. Rejects LinkError('offline') when not up or when the connection drops first. */
  publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    const c = this.client;
    if (!this.up || c === null) {
      return Promise.reject(new LinkError('offline', 'not connected to the broker'));
    }
    return new Promise<void>((resolve, reject) => {
      const fail = (e: Error): void => reject(e);
      this.pending.add(fail);
      try {
        c.publish(topic, payload, { qos: opts.qos, retain: opts.retain ?? false }, (err) => {
          this.pending.delete(fail);
          if (err) reject(new LinkError('publish-failed', `publish to ${topic} failed: ${err.message}`));
          else resolve();
        });
      } catch (e) {
        this.pending.delete(fail);
        reject(new LinkError('publish-failed', `publish to ${topic} failed: ${(e as Error).message}`));
      }
    });
  }

  private connectNow(): void {
    this.retryTimer = null;
    if (this.stopped) return;
    const gen = ++this.generation;
    const o = this.o;
    let will: WillMessage | null = null;
    try {
      will = o.will?.() ?? null;
    } catch (e) {
      o.log.error({ err: (e as Error).message }, 'could not build the Last Will; connecting without one');
    }
    const level = o.protocolVersion ?? 4;
    const options: IClientOptions = {
      protocolVersion: level,
      clientId: o.clientId,
      clean: o.clean,
      keepalive: o.keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      resubscribe: false,
      queueQoSZero: false,
      // mqtt-packet would otherwise build a Buffer for each of the 65,536 two-byte numbers on the first write
      // (~15 ms and ~5 MiB of heap at start, for the embedded broker too: it shares the module). A kiosk's few
      // messages a minute write their numbers as they go.
      writeCache: false,
    };
    if (level === 5) {
      // The broker must not send more than the kiosk takes (MQTT 5 §3.1.2.11.4): it drops a larger message for us.
      options.properties = { maximumPacketSize: MAX_INBOUND_PACKET, ...(o.clean ? {} : { sessionExpiryInterval: SESSION_EXPIRY_S }) };
    }
    if (o.username !== undefined) options.username = o.username;
    if (o.password !== undefined) options.password = o.password;
    if (will !== null) options.will = will;
    let client: MqttClient;
    try {
      client = new MqttClient(
        () =>
          new GuardedStream(openBrokerSocket(this.addr, o.tls), (reason) => this.drop(gen, reason), {
            level,
            onDiscarded: (d) => this.guard(() => this.emit('discarded', d)),
          }),
        options,
      );
    } catch (e) {
      this.noteFailure(e instanceof LinkError ? e.message : `cannot start a connection: ${(e as Error).message}`);
      this.scheduleRetry();
      return;
    }
    this.client = client;
    // A dead client may still emit: an 'error' without a listener would throw, so this one stays for good.
    client.on('error', (e: Error) => this.drop(gen, describeError(e)));
    client.on('close', () => this.drop(gen, 'the connection closed'));
    client.on('connect', (connack) => this.guard(() => this.onConnack(gen, client, connack.sessionPresent)));
    client.handleMessage = (packet: IPublishPacket, done) => {
      // A listener still working on a message (a big manifest, in chunks) holds it: the PUBACK goes
      // out, and the next message comes in, once that work is done.
      const holds: Array<Promise<unknown>> = [];
      if (gen === this.generation && packet.topic !== DISCARDED_TOPIC) {
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        this.guard(() => this.emit('message', packet.topic, payload, (p) => holds.push(p)));
      }
      if (holds.length === 0) done();
      else void Promise.allSettled(holds).then(() => done());
    };
  }

  private onConnack(gen: number, client: MqttClient, sessionPresent: boolean): void {
    if (gen !== this.generation) return;
    if (this.o.subscriptions.length === 0) {
      this.markUp(sessionPresent);
      return;
    }
    this.subTimer = this.o.clock.setTimeout(
      () => this.drop(gen, `the broker did not answer the SUBSCRIBE within ${this.o.connectTimeoutMs ?? 10_000} ms`),
      this.o.connectTimeoutMs ?? 10_000,
    );
    const subs = Object.fromEntries(this.o.subscriptions.map((s) => [s.topic, { qos: s.qos }]));
    client.subscribe(subs, (err, granted) => {
      if (gen !== this.generation) return;
      if (this.subTimer !== null) this.o.clock.clearTimeout(this.subTimer);
      this.subTimer = null;
      if (err) {
        this.drop(gen, `subscribe failed: ${err.message}`);
        return;
      }
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) {
        this.drop(gen, `the broker refused the subscription to ${refused.join(', ')}: check the broker's ACL for this client`);
        return;
      }
      this.markUp(sessionPresent);
    });
  }

  private markUp(sessionPresent: boolean): void {
    this.up = true;
    this.attempt = 0;
    this.lastLogged = null;
    this.o.log.info({ broker: this.o.url, sessionPresent }, 'connected to the broker');
    this.guard(() => this.emit('up', { sessionPresent }));
  }

  /** Forgets the connection of generation `gen` (once), rejects pending publishes, and plans the next attempt. */
  private drop(gen: number, reason: string): void {
    if (gen !== this.generation || this.client === null) return;
    this.generation++;
    const c = this.client;
    this.client = null;
    if (this.subTimer !== null) this.o.clock.clearTimeout(this.subTimer);
    this.subTimer = null;
    try {
      c.end(true);
    } catch {
      // Already closed; nothing to end.
    }
    const wasUp = this.up;
    this.up = false;
    const err = new LinkError('offline', `connection to the broker lost: ${reason}`);
    for (const fail of this.pending) fail(err);
    this.pending.clear();
    if (reason === 'stopped') {
      if (wasUp) this.guard(() => this.emit('down', reason));
      return;
    }
    this.noteFailure(reason);
    if (wasUp) this.guard(() => this.emit('down', reason));
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== null) return;
    const delay = backoffMs(this.attempt++, this.o.reconnectMinMs ?? 250, this.o.reconnectMaxMs);
    this.retryTimer = this.o.clock.setTimeout(() => this.connectNow(), delay);
  }

  /** Logs a failure once per distinct reason in a row, so a broker that stays down fills no disk. */
  private noteFailure(reason: string): void {
    if (reason === this.lastLogged) {
      this.o.log.debug({ broker: this.o.url, reason }, 'broker connection failed again');
      return;
    }
    this.lastLogged = reason;
    this.o.log.warn({ broker: this.o.url, reason }, 'broker connection failed; retrying with backoff');
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.o.log.error({ err: e instanceof Error ? e.stack : String(e) }, 'a link handler threw; the message was not handled');
    }
  }
}

function describeError(e: Error): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return `nothing listens there (${e.message})`;
  if (typeof code === 'number' || /refused/i.test(e.message)) return `the broker refused the connection: ${e.message}`;
  return e.message;
}
