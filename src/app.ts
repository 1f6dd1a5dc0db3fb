import { join } from 'node:path';
import type { Devices, Sims } from '../drivers/devices.js';
import type { CommandHandler } from './link/commands.js';
import { operatorActions } from './app/operator-actions.js';
import { configHash, kioskVersion, systemTimeZone } from './app/facts.js';
import { metricsSource } from './app/metrics-source.js';
import { createMetrics } from './ui/metrics.js';
import { DeviceSupervisor, type DeviceRole, type ServiceSink, type ServiceState, type SupervisedDriver } from './app/supervisor.js';
import { JoinedKeypad } from '../drivers/keypad/joined.js';
import { buildDevices } from './app/devices.js';
import { systemClock, type Clock } from './core/clock.js';
import { hasRealDrivers, type Config } from './config/index.js';
import { createTrustStore } from './domain/index.js';
import type { TrustStore } from './domain/index.js';
import type { OnlineVerifier } from './flows/context.js';
import { Kiosk } from './flows/kiosk.js';
import { Reporter } from './flows/reporter.js';
import { generateIdentity, IdentityError, loadIdentity, type KioskIdentity } from './identity.js';
import { createLogger, type Log } from './core/log.js';
import { openStore, type Store } from './store/index.js';
import { renderScreen } from './ui/messages/index.js';
import { operatorView } from './ui/operator-state.js';
import { startUi, type UiServer } from './ui/server.js';
import type { Screen } from './domain/screens.js';

/** The seller link as the app wires it (src/link provides it). */
export interface LinkPart extends OnlineVerifier {
  readonly connected: boolean;
  kick(): void;
  stop(): Promise<void>;
  /** Resolves true once connected to the broker, false when `ms` pass first. */
  whenConnected?(ms: number): Promise<boolean>;
  /** The state in the retained kiosk.status (degraded while a device is down). */
  setState?(state: 'online' | 'degraded' | 'maintenance'): void;
}

export interface StartOptions {
  config: Config;
  clock?: Clock;
  log?: Log;
  /** Devices to use instead of building them from the config (tests). */
  devices?: { devices: Devices; sims: Sims | null };
  /** Makes the link once the store and identity exist (null: run offline). */
  link?: (parts: {
    store: Store;
    identity: KioskIdentity;
    sellers: TrustStore;
    operators: TrustStore;
    log: Log;
    clock: Clock;
    /** Raises an operator alarm through the outbox (the link's own trouble: an oversized message). */
    alarm: (kind: 'message-too-large', detail: string) => void;
    /** Acts on signed operator commands (open, out of service, diagnostics). */
    commands?: CommandHandler;
  }) => Promise<LinkPart | null>;
  /** Extra lines for the page's event list (the demo's seller). */
  events?: () => string[];
  /** Start the web server (default true). */
  http?: boolean;
  /** Where out-of-service decisions go (default: kept for /api/state). */
  service?: ServiceSink;
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
  supervisor: DeviceSupervisor;
  stop(): Promise<void>;
}

/** Every configured device with its role, in the order they are opened. */
function roles(d: Devices): Array<{ role: DeviceRole; driver: SupervisedDriver }> {
  const all: Array<{ role: DeviceRole; driver: SupervisedDriver | null }> = [
    { role: 'keypad', driver: d.keypad },
    { role: 'scanner', driver: d.scanner },
    { role: 'locks', driver: d.locks },
    { role: 'fingerprint', driver: d.fingerprint },
    { role: 'card', driver: d.card },
    { role: 'cash', driver: d.cash },
  ];
  return all.filter((x): x is { role: DeviceRole; driver: SupervisedDriver } => x.driver !== null);
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
  const log = o.log ?? createLogger({ level: config.log.level, modules: config.log.modules });
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
    const built = o.devices ?? (await buildDevices(config, clock, log));
    const { devices } = built;
    const sims = o.devices ? o.devices.sims : hasRealDrivers(config) ? null : built.sims;
    const reporter = new Reporter(store, { id: config.kioskId, keys: identity.ed25519 }, clock);
    // A device that goes away or comes back is the operator's business: an alarm through the outbox.
    const alarm = (kind: 'device-lost' | 'device-restored' | 'message-too-large', detail: string): void => {
      store.tx(() => reporter.alarm(kind, null, detail));
      reporter.queued();
    };
    let service: ServiceState = { whole: false, compartments: [] };
    let kioskRef: Kiosk | null = null;
    let onDevices = (): void => undefined;
    const supervisor = new DeviceSupervisor({
      clock,
      log: log.child({ ns: 'devices' }),
      devices: roles(devices),
      alarm,
      sink: {
        setService: (s) => {
          service = s;
          o.service?.setService(s);
          kioskRef?.setService(s);
        },
      },
      onChange: () => onDevices(),
    });
    for (const { driver: d } of roles(devices)) d.on('error', (err: Error) => log.warn({ device: d.name, err: err.message }, 'device fault'));
    const commands = operatorActions({
      store,
      locks: devices.locks,
      open: (compartmentId) => (kioskRef ? kioskRef.doors.unlockForOperator(compartmentId) : Promise.reject(new Error('the kiosk is not serving yet'))),
      markChecked: (compartmentId, found, who, reason) => (kioskRef ? kioskRef.markChecked(compartmentId, found, who, reason) : { ok: false, words: 'the kiosk is not serving yet' }),
      supervisor,
      clock,
      facts: () => ({ kioskId: config.kioskId, uptimeSeconds: Math.floor(process.uptime()), link: { connected: link?.connected ?? false } }),
    });
    // The seller link (the embedded broker, the connection) starts while the devices open: its work fills
    // the wait for their handshakes. Its status waits for the state set below, once the devices are known.
    const [opened, linked] = await Promise.allSettled([
      supervisor.start(),
      o.link ? o.link({ store, identity, sellers, operators, log: log.child({ ns: 'link' }), clock, commands, alarm }) : Promise.resolve(null),
    ]);
    // Devices handed in by the caller are the caller's to close (a test restarting the kiosk keeps its hardware).
    cleanup.push(() => supervisor.stop());
    if (!o.devices) {
      cleanup.push(async () => {
        for (const { driver } of roles(devices)) await driver.close();
        for (const d of devices.others) await d.close();
      });
    }
    if (linked.status === 'rejected') throw linked.reason;
    const link: LinkPart | null = linked.value;
    if (link) cleanup.push(() => link.stop());
    if (opened.status === 'rejected') throw opened.reason;
    const stateNow = (): 'online' | 'degraded' | 'maintenance' => (supervisor.manualState.whole ? 'maintenance' : supervisor.degraded ? 'degraded' : 'online');
    if (link) {
      reporter.onQueued(() => link.kick());
      link.setState?.(stateNow());
    }
    // Keys typed on the screen (touch keypad, keyboard) join the hardware keypad's.
    const keypad = new JoinedKeypad(devices.keypad);
    cleanup.push(() => keypad.detach());
    const kiosk = new Kiosk(
      { config, store, locks: devices.locks, clock, log: log.child({ ns: 'flows' }), trust: sellers, kioskX25519: identity.x25519, reporter, online: link, fingerprint: devices.fingerprint },
      keypad,
      devices.scanner,
      devices.card,
      devices.cash,
    );
    kioskRef = kiosk;
    kiosk.setService(service);
    // The conversations start (doors locked, interrupted handovers settled) once the lock bank answers;
    // until then the kiosk is out of service, not out of process.
    let flowsStarted = false;
    let flowsStarting: Promise<void> | null = null;
    const startFlows = (): Promise<void> => {
      if (flowsStarted || flowsStarting || !supervisor.isUp('locks')) return flowsStarting ?? Promise.resolve();
      flowsStarting = kiosk
        .start()
        .then(() => {
          flowsStarted = true;
        })
        .catch((e: unknown) => log.error({ err: (e as Error).message }, 'the kiosk could not settle its doors; it tries again when the lock bank is back'))
        .finally(() => (flowsStarting = null));
      return flowsStarting;
    };
    onDevices = () => {
      link?.setState?.(stateNow());
      void startFlows();
    };
    await startFlows();
    cleanup.push(() => kiosk.stop());
    // The screen as data, with its words in the default language for /sim/state and the log.
    const view = (s: Screen): { id: string; params: Record<string, unknown>; text: string } => {
      const { id, ...params } = s;
      return { id, params, text: renderScreen(s, config.screen.lang, { now: clock.now(), timeZone: config.screen.timeZone ?? systemTimeZone() }) };
    };
    // Screens that echo typed digits stay out of the log: a code typed where a parcel number goes must not land there.
    // Words are rendered only when the log would keep them: a pickup pays nothing for a silent log.
    kiosk.screen.onChange((s) => {
      if (log.isLevelEnabled('info')) log.info('digits' in s ? { screen: s.id } : { screen: s.id, text: view(s).text }, 'screen');
    });

    let ui: UiServer | null = null;
    if (o.http !== false) {
      const metrics = createMetrics(
        metricsSource({ store, supervisor, locks: devices.locks, clock, version: kioskVersion(), configHash: configHash(config), brokerConnected: () => link?.connected ?? false }),
      );
      cleanup.push(() => metrics.stop());
      const events = (): string[] => [
        ...(o.events?.() ?? []),
        ...store.audit.recent(30).map((a) => `${new Date(a.at).toISOString().slice(11, 19)} ${a.kind}${a.compartmentId ? ` ${a.compartmentId}` : ''}${a.txn ? ` ${a.txn}` : ''}`),
      ];
      ui = await startUi({
        host: config.http.host,
        port: config.http.port,
        kioskId: config.kioskId,
        sims,
        log,
        metrics: (req, res) => metrics.handler(req, res),
        screen: kiosk.screen,
        now: () => clock.now(),
        settings: {
          lang: config.screen.lang,
          timeZone: config.screen.timeZone ?? systemTimeZone(),
          keypad: config.screen.keypad,
          bankRows: config.screen.bankRows,
        },
        compartments: () => store.compartments.list(),
        operator: () => operatorView({ store, devices: () => supervisor.status().map((d) => ({ name: d.name, ok: d.up, detail: d.up ? 'answers' : (d.reason ?? 'not answering') })), connected: () => link?.connected ?? false, events, service: () => ({ ...service, devices: supervisor.status() }), items: () => kiosk.occupancy() }),
        keys: (k) => void keypad.type(k),
      }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') {
          throw new Error(`http port ${config.http.port} on ${config.http.host} is in use: pass --http-port N (0 picks a free port)`);
        }
        throw e;
      });
      const server = ui;
      cleanup.push(() => server.close());
    }
    return { config, store, kiosk, devices, sims, identity, reporter, ui, link, supervisor, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
