import { startKiosk, type RunningKiosk } from '../app.js';
import { linkFromConfig } from '../app-link.js';
import type { Config } from '../config/index.js';
import { demoCourier, demoSeller, loadDemoParcels, sellerEventLines } from '../demo/index.js';
import type { EmbeddedBroker } from '../link/index.js';
import { createLogger } from '../log.js';
import type { ReferenceSeller } from '../seller/index.js';

/**
 * Runs the kiosk (with its seller link) until SIGINT/SIGTERM. With
 * `demo.parcels` > 0 on a simulated kiosk it also runs the reference seller,
 * which issues that many parcels; the courier flow loads them, and each one's
 * txn and code are printed so a newcomer can pick one up on the page.
 */
export async function startCommand(config: Config): Promise<number> {
  const log = createLogger({ level: config.log.level });
  const demo = config.demo.parcels > 0;
  const courier = demo ? await demoCourier(config) : null;
  let seller: ReferenceSeller | null = null;
  let broker: EmbeddedBroker | null = null;
  let k: RunningKiosk;
  try {
    seller = demo ? demoSeller(config, log) : null;
    const s = seller;
    k = await startKiosk({
      config,
      log,
      link: linkFromConfig(config, (b) => (broker = b)),
      events: () => (s ? sellerEventLines(s) : []),
    });
  } catch (e) {
    await seller?.close();
    process.stderr.write(`pickup-kiosk: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  const url = k.ui?.url ?? '(no web server)';
  const brokerUrl = (broker as EmbeddedBroker | null)?.url ?? config.broker.url;
  if (seller && courier) {
    if (!k.sims) {
      process.stderr.write('demo.parcels is set but real devices are configured: no demo parcels loaded\n');
    } else {
      try {
        const parcels = await loadDemoParcels(k, seller, brokerUrl, courier, config.demo.parcels);
        process.stdout.write(`\npickup-kiosk demo — open ${url}\n`);
        process.stdout.write(`broker ${brokerUrl}; reference seller "${seller.id}" is connected and answering\n`);
        process.stdout.write(`courier ${courier.id}, PIN ${courier.pin} (press * on the keypad to sign in)\n`);
        for (const p of parcels) process.stdout.write(`parcel ${p.txn}  code ${p.code}  (in ${p.compartmentId}${p.label ? `, label ${p.label}` : ''})\n`);
        process.stdout.write('To pick one up: type its number (digits only) and #, then its code and #; then open and close its door.\n\n');
      } catch (e) {
        process.stderr.write(`demo parcels could not be loaded: ${(e as Error).message}\n`);
      }
    }
  } else {
    process.stdout.write(`pickup-kiosk ${config.kioskId} running — ${url} — broker ${brokerUrl}\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await k.stop();
  await seller?.close();
  return 0;
}
