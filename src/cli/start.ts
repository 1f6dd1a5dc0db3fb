import { startKiosk } from '../app.js';
import type { Config } from '../config/index.js';
import { demoCourier, demoSellerKey, loadDemoParcels } from '../demo/index.js';
import { createLogger } from '../log.js';

/**
 * Runs the kiosk until SIGINT/SIGTERM. With `demo.parcels` > 0 on a simulated
 * kiosk it also loads that many demo parcels through the courier flow and
 * prints each one's txn and code, so a newcomer can pick one up on the page.
 */
export async function startCommand(config: Config): Promise<number> {
  const log = createLogger({ level: config.log.level });
  const demo = config.demo.parcels > 0;
  const courier = demo ? await demoCourier(config) : null;
  const seller = demo ? demoSellerKey(config) : null;
  let k;
  try {
    k = await startKiosk({ config, log });
  } catch (e) {
    process.stderr.write(`pickup-kiosk: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  const running = k;
  const url = running.ui?.url ?? '(no web server)';
  if (demo && courier && seller) {
    if (!running.sims) {
      process.stderr.write('demo.parcels is set but real devices are configured: no demo parcels loaded\n');
    } else {
      try {
        const parcels = await loadDemoParcels(running, courier, seller, config.demo.parcels);
        process.stdout.write(`\npickup-kiosk demo — open ${url}\n`);
        process.stdout.write(`courier ${courier.id}, PIN ${courier.pin} (press * on the keypad to sign in)\n`);
        for (const p of parcels) process.stdout.write(`parcel ${p.txn}  code ${p.code}  (in ${p.compartmentId})\n`);
        process.stdout.write('To pick one up: type its number (digits only) and #, then its code and #; then open and close its door.\n\n');
      } catch (e) {
        process.stderr.write(`demo parcels could not be loaded: ${(e as Error).message}\n`);
      }
    }
  } else {
    process.stdout.write(`pickup-kiosk ${config.kioskId} running — ${url}\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await running.stop();
  return 0;
}
