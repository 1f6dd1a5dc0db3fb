import { startKiosk, type RunningKiosk } from '../app.js';
import { lockDataDir, type DataDirLock } from '../app/data-lock.js';
import { linkFromConfig } from '../app-link.js';
import type { Config } from '../config/index.js';
import type { EmbeddedBroker } from '../link/index.js';
import { createLogger } from '../core/log.js';
import { systemClock } from '../core/clock.js';
import { statusLine, systemdFor } from '../app/systemd.js';
import type { ReferenceSeller } from '../seller/index.js';

/** How long the "connected to the broker" line may wait for the first connection. */
const BROKER_WAIT_MS = 24 * 3_600_000;

/**
 * Runs the kiosk (with its seller link) until SIGINT/SIGTERM. With
 * `demo.parcels` > 0 on a simulated kiosk it also runs the reference seller,
 * which issues that many parcels; the courier flow loads them, and each one's
 * txn and code are printed so a newcomer can pick one up on the page.
 */
export async function startCommand(config: Config): Promise<number> {
  // First of all: a second kiosk on this directory must not touch its store, keys or seller.
  let lock: DataDirLock;
  try {
    lock = lockDataDir(config.dataDir);
  } catch (e) {
    process.stderr.write(`pickup-kiosk: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    return await run(config);
  } finally {
    lock.release();
  }
}

async function run(config: Config): Promise<number> {
  const log = createLogger({ level: config.log.level, modules: config.log.modules });
  // The demo (reference seller, label printer) is loaded only when it runs: a kiosk's start never reads it.
  const demo = config.demo.parcels > 0 ? await import('../demo/index.js') : null;
  const courier = demo ? await demo.demoCourier(config) : null;
  let seller: ReferenceSeller | null = null;
  let broker: EmbeddedBroker | null = null;
  let k: RunningKiosk;
  try {
    seller = demo ? demo.demoSeller(config, log) : null;
    const s = seller;
    k = await startKiosk({
      config,
      log,
      link: linkFromConfig(config, (b) => (broker = b)),
      events: () => (s && demo ? demo.sellerEventLines(s) : []),
    });
  } catch (e) {
    await seller?.close();
    process.stderr.write(`pickup-kiosk: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  const stopAsked = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const systemd = systemdFor(k, { env: process.env, clock: systemClock, log });
  systemd.ready();
  let lastStatus = statusLine(k);
  const statusTimer = setInterval(() => {
    const line = statusLine(k);
    if (line !== lastStatus) systemd.status((lastStatus = line));
  }, 1000);
  statusTimer.unref();
  const url = k.ui?.url ?? '(no web server)';
  const brokerUrl = (broker as EmbeddedBroker | null)?.url ?? config.broker.url;
  if (seller && courier && demo) {
    if (!k.sims) {
      process.stderr.write('demo.parcels is set but real devices are configured: no demo parcels loaded\n');
    } else {
      try {
        const parcels = await demo.loadDemoParcels(k, seller, brokerUrl, courier, config.demo.parcels);
        process.stdout.write(`\npickup-kiosk demo — open ${url}\n`);
        process.stdout.write(`the kiosk screen: ${url}   the simulated hardware beside it: ${url}sim   staff: ${url}operator\n`);
        process.stdout.write(`broker ${brokerUrl}; reference seller "${seller.id}" is connected and answering\n`);
        process.stdout.write(`courier ${courier.id}, PIN ${courier.pin} (press * on the keypad to sign in)\n`);
        for (const p of parcels) {
          const pay = p.due ? `, pay ${new Intl.NumberFormat('en', { style: 'currency', currency: p.due.currency }).format(p.due.amount)} at pickup with the cash buttons on /sim` : '';
          process.stdout.write(`parcel ${p.txn}  code ${p.code}  (in ${p.compartmentId}${p.label ? `, label ${p.label}` : ''}${pay})\n`);
        }
        process.stdout.write('To pick one up: type its number (digits only) and #, then its code and #; then open and close its door.\n\n');
      } catch (e) {
        process.stderr.write(`demo parcels could not be loaded: ${(e as Error).message}\n`);
      }
    }
  } else {
    process.stdout.write(`pickup-kiosk ${config.kioskId} running — ${url} — broker ${brokerUrl}\n`);
    // The kiosk serves a person from here on (it works offline); the first connection to the broker is
    // said on a line of its own (bench/start.ts counts a start as ready at that line).
    void k.link?.whenConnected?.(BROKER_WAIT_MS).then((up) => {
      if (up) process.stdout.write(`pickup-kiosk ${config.kioskId} connected to the broker ${brokerUrl}\n`);
    });
  }
  await stopAsked;
  clearInterval(statusTimer);
  systemd.stopping();
  await k.stop();
  await seller?.close();
  return 0;
}
