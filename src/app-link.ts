import type { LinkPart, StartOptions } from './app.js';
import { configHash, kioskVersion } from './app/facts.js';
import type { Config } from './config/index.js';
import { SellerLink, startEmbeddedBroker, type EmbeddedBroker } from './link/index.js';

export type LinkFactory = NonNullable<StartOptions['link']>;

/**
 * The seller link as the config describes it: an embedded aedes broker on
 * 127.0.0.1 when `broker.url` is `embedded` (its URL is then `brokerUrl()`),
 * else the configured broker, with TLS files when given.
 */
export function linkFromConfig(config: Config, onBroker?: (b: EmbeddedBroker) => void): LinkFactory {
  return async ({ store, identity, sellers, operators, log, clock, commands, alarm }) => {
    const b = config.broker;
    let embedded: EmbeddedBroker | null = null;
    if (b.url === 'embedded') {
      embedded = await startEmbeddedBroker({ port: b.embeddedPort, log });
      onBroker?.(embedded);
    }
    const link = new SellerLink({
      kioskId: config.kioskId,
      brokerUrl: embedded ? embedded.url : b.url,
      tls: b.ca || b.cert ? { ...(b.ca ? { ca: b.ca } : {}), ...(b.cert ? { cert: b.cert } : {}), ...(b.key ? { key: b.key } : {}) } : undefined,
      username: b.username,
      password: b.password,
      keepaliveSeconds: b.keepaliveSeconds,
      reconnectMaxMs: b.reconnectMaxMs,
      // The embedded aedes broker speaks 3.1.1 only.
      protocolVersion: b.mqttVersion === '5' && !embedded ? 5 : 4,
      onOversized: (detail) => alarm('message-too-large', detail),
      store,
      signer: { id: config.kioskId, keys: identity.ed25519 },
      sellers,
      operators,
      clock,
      log,
      outboxRetry: { startMs: config.outbox.retryStartMs, maxMs: config.outbox.retryMaxMs },
      lockerCounts: () => store.compartments.counts(),
      version: kioskVersion(),
      commands,
      // startKiosk gives the first state once its devices are known (it starts the link while they open).
      statusHeld: true,
      statusExtra: () => ({ configHash: configHash(config), uptimeSeconds: Math.floor(process.uptime()) }),
    });
    link.start();
    let counts = JSON.stringify(store.compartments.counts());
    const part: LinkPart = {
      get connected() {
        return link.connected;
      },
      kick: () => {
        link.kick();
        // The retained status carries free/total lockers: republish it when they change.
        const now = JSON.stringify(store.compartments.counts());
        if (now !== counts) {
          counts = now;
          link.publishStatus();
        }
      },
      whenConnected: (ms) =>
        new Promise<boolean>((resolve) => {
          if (link.connected) return resolve(true);
          const done = (up: boolean): void => {
            clearTimeout(timer);
            link.off('connected', onUp);
            resolve(up);
          };
          const onUp = (): void => done(true);
          const timer = setTimeout(() => done(false), ms);
          timer.unref();
          link.on('connected', onUp);
        }),
      verifyOnline: (req) => link.verifyOnline(req),
      setState: (state) => link.setState(state),
      async stop() {
        await link.stop();
        await embedded?.close();
      },
    };
    return part;
  };
}
