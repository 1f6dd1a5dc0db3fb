import { join } from 'node:path';
import type { Devices, Sims } from '../drivers/devices.js';
import type { TypedEmitter } from '../drivers/events.js';
import type { ConnectionEvents, DriverBase } from '../drivers/lifecycle.js';
import { buildDevices } from '../drivers/factory.js';
import { systemClock, type Clock } from './clock.js';
import { hasRealDrivers, type Config } from './config/index.js';
import { createTrustStore } from './domain/index.js';
import type { TrustStore } from './domain/index.js';
import type { OnlineVerifier } from './flows/context.js';
import { Kiosk } from './flows/kiosk.js';
import { Reporter } from './flows/reporter.js';
import { generateIdentity, IdentityError, loadIdentity, type KioskIdentity } from './identity.js';
import { createLogger, type Log } from './log.js';
import { openStore, type Store } from './store/index.js';
import { startUi, type UiServer } from './ui/server.js';

/** The seller link as the app wires it (src/link provides it). */
export interface LinkPart extends OnlineVerifier {
  readonly connected: boolean;
  kick(): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  clock?: Clock;
  log?: Log;
  /** Devices to use instead of building them from the config (tests). */
  devices?: { devices: Devices; sims: Sims | null };
  /** Makes the link once the store and identity exist (null: run offline). */
  link?: (parts: { store: Store; identity: KioskIdentity; sellers: TrustStore; operators: TrustStore; log: Log; clock: Clock }) => Promise<LinkPart | null>;
  /** Extra lines for the page's event list (the demo's seller). */
  events?: () => string[];
  /** Start the web server (default true). */
  http?: boolean;
}

export interface RunningKiosk {
  config: Config;
  store: Store;
  kiosk: Kiosk;
  devices: Devices;
  sims: Sims | null;
  identity: KioskIdentity;
  reporter: Reporter;
  ui: UiServer | null;
  link: LinkPart | null;
  stop(): Promise<void>;
}

/** Loads the kiosk's keys, making them on first start (and saying so). */
function identityFor(config: Config, log: Log): KioskIdentity {
  try {
    return loadIdentity(config.dataDir, { warn: (m) => log.warn(m) });
  } catch (e) {
    if (e instanceof IdentityError && e.problem === 'missing') {
      const id = generateIdentity(config.dataDir);
      log.info({ dataDir: config.dataDir }, 'made new kiosk keys: give sellers the output of `pickup-kiosk identity`');
      return id;
    }
    throw e;
  }
}

/**
 * Builds and starts a kiosk from its config: identity, store, devices, flows,
 * web server, seller link. The only place that knows which driver is real.
 */
export async function startKiosk(o: StartOptions): Promise<RunningKiosk> {
  const { config } = o;
  const clock = o.clock ?? systemClock;
  const log = o.log ?? createLogger({ level: config.log.level });
  const identity = identityFor(config, log);
  const store = openStore(join(config.dataDir, 'kiosk.db'));
  const cleanup: Array<() => Promise<void> | void> = [() => store.close()];
  const stopAll = async (): Promise<void> => {
    for (const fn of cleanup.splice(0).reverse()) {
      try {
        await fn();
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'while stopping');
      }
    }
  };
  try {
    const sellers = createTrustStore(config.trust.sellers);
    const operators = createTrustStore(config.trust.operators);
    const built = o.devices ?? buildDevices(config, clock);
    const { devices } = built;
    const sims = o.devices ? o.devices.sims : hasRealDrivers(config) ? null : built.sims;
    const opened: Array<DriverBase & TypedEmitter<ConnectionEvents>> = [];
    for (const d of [devices.keypad, devices.scanner, devices.locks, devices.fingerprint, devices.card, devices.cash]) {
      if (!d) continue;
      d.on('error', (err: Error) => log.warn({ device: d.name, err: err.message }, 'device fault'));
      await d.open();
      opened.push(d);
    }
    // Devices handed in by the caller are the caller's to close (a test restarting the kiosk keeps its hardware).
    if (!o.devices) {
      cleanup.push(async () => {
        for (const d of [...opened, ...devices.others]) await d.close();
      });
    }

    const reporter = new Reporter(store, { id: config.kioskId, keys: identity.ed25519 }, clock);
    // A device that goes away or comes back is the operator's business: an alarm through the outbox.
    const alarm = (kind: 'device-lost' | 'device-restored', detail: string): void => {
      store.tx(() => reporter.alarm(kind, null, detail));
      reporter.queued();
    };
    for (const d of opened) {
      d.on('disconnect', (reason) => {
        log.warn({ device: d.name, reason }, 'device lost');
        alarm('device-lost', `${d.name}: ${reason}`);
      });
      d.on('reconnect', () => {
        log.info({ device: d.name }, 'device back');
        alarm('device-restored', `${d.name} answers again`);
      });
    }

    const link = o.link ? await o.link({ store, identity, sellers, operators, log: log.child({ ns: 'link' }), clock }) : null;
    if (link) {
      reporter.onQueued(() => link.kick());
      cleanup.push(() => link.stop());
    }
    const kiosk = new Kiosk(
      { config, store, locks: devices.locks, clock, log: log.child({ ns: 'flows' }), trust: sellers, kioskX25519: identity.x25519, reporter, online: link, fingerprint: devices.fingerprint },
      devices.keypad,
      devices.scanner,
      devices.card,
      devices.cash,
    );
    await kiosk.start();
    cleanup.push(() => kiosk.stop());
    kiosk.screen.onChange((s) => log.info({ screen: s.id }, 'screen'));

    let ui: UiServer | null = null;
    if (o.http !== false) {
      ui = await startUi({
        host: config.http.host,
        port: config.http.port,
        kioskId: config.kioskId,
        sims,
        log,
        state: {
          screen: () => kiosk.screen.get(),
          compartments: () => store.compartments.list(),
          link: () => ({ connected: link?.connected ?? false }),
          outbox: () => ({ pending: store.outbox.pending() }),
          events: () => [
            ...(o.events?.() ?? []),
            ...store.audit.recent(30).map((a) => `${new Date(a.at).toISOString().slice(11, 19)} ${a.kind}${a.compartmentId ? ` ${a.compartmentId}` : ''}${a.txn ? ` ${a.txn}` : ''}`),
          ],
        },
      }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') {
          throw new Error(`http port ${config.http.port} on ${config.http.host} is in use: pass --http-port N (0 picks a free port)`);
        }
        throw e;
      });
      const server = ui;
      cleanup.push(() => server.close());
    }
    return { config, store, kiosk, devices, sims, identity, reporter, ui, link, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
