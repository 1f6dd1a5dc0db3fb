/**
 * Outage: the broker is down while recipients pick up parcels (checked
 * offline against their slips); then it comes back. Every receipt must reach
 * the seller exactly once; the time from the broker's return to the last
 * receipt is the drain time.
 */
import { createScene, loadMany, pickupSteps, runSteps, toIdle, type Medium } from './lib/scene.js';
import { issueParcels, sellerReceipts } from './lib/seller.js';
import { until, type Say } from './lib/util.js';

export interface OutageResult {
  pickups: number;
  pickupSecondsOffline: number;
  receipts: number;
  duplicates: number;
  missing: number;
  drainSeconds: number;
}

export async function outageProof(o: { pickups: number; say: Say }): Promise<OutageResult> {
  const scene = await createScene({ name: 'outage', compartments: o.pickups + 2 });
  const { kiosk: k, seller } = scene;
  try {
    const parcels = await issueParcels(seller, scene.kioskId, o.pickups, 'O');
    await loadMany(k, seller.sellerId, parcels);
    // The arrivals reach the seller first, so what drains later is only the receipts.
    await until(() => sellerReceipts(seller.sellerDir).events >= parcels.length, 60_000, 100);
    await scene.broker.stop();
    const t0 = Date.now();
    const media: Medium[] = ['keypad', 'scan'];
    for (let i = 0; i < parcels.length; i++) {
      await toIdle(k);
      await runSteps(pickupSteps(k, seller.sellerId, parcels[i], media[i % 2], { compartment: null, taken: false }));
      if ((i + 1) % 25 === 0) o.say(`  outage: ${i + 1}/${parcels.length} pickups with the broker down`);
    }
    const offline = (Date.now() - t0) / 1000;
    await scene.broker.start();
    const t1 = Date.now();
    await until(() => sellerReceipts(seller.sellerDir).handovers.size >= parcels.length, 120_000, 20);
    const drain = (Date.now() - t1) / 1000;
    await new Promise((r) => setTimeout(r, 2000)); // a redelivery, if any, lands now
    const got = sellerReceipts(seller.sellerDir).handovers;
    let duplicates = 0;
    for (const n of got.values()) duplicates += n - 1;
    return {
      pickups: parcels.length,
      pickupSecondsOffline: offline,
      receipts: got.size,
      duplicates,
      missing: parcels.filter((p) => !got.has(p.txn)).length,
      drainSeconds: drain,
    };
  } finally {
    await scene.close();
  }
}
