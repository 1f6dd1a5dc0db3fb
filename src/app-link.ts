import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinkPart, StartOptions } from './app.js';
import { packageRoot, type Config } from './config/index.js';
import { SellerLink, startEmbeddedBroker, type EmbeddedBroker } from './link/index.js';

export type LinkFactory = NonNullable<StartOptions['link']>;

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * The seller link as the config describes it: an embedded aedes broker on
 * 127.0.0.1 when `broker.url` is `embedded` (its URL is then `brokerUrl()`),
 * else the configured broker, with TLS files when given.
 */
export function linkFromConfig(config: Config, onBroker?: (b: EmbeddedBroker) => void): LinkFactory {
  return async ({ store, identity, sellers, operators, log, clock }) => {
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
      store,
      signer: { id: config.kioskId, keys: identity.ed25519 },
      sellers,
      operators,
      clock,
      log,
      outboxRetry: { startMs: config.outbox.retryStartMs, maxMs: config.outbox.retryMaxMs },
      lockerCounts: () => store.compartments.counts(),
      version: version(),
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
      verifyOnline: (req) => link.verifyOnline(req),
      async stop() {
        await link.stop();
        await embedded?.close();
      },
    };
    return part;
  };
}
