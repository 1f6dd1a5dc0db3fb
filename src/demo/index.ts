import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningKiosk } from '../app.js';
import { hashCourierPin, type Config } from '../config/index.js';
import { identityJson } from '../identity.js';
import type { Log } from '../core/log.js';
import { ReferenceSeller } from '../seller/index.js';
import { courierLoads, courierTakesBack } from './drive.js';

export interface DemoParcel {
  txn: string;
  code: string;
  compartmentId: string;
  label: string | null;
  /** Paid at pickup (the last of two or more demo parcels, where the kiosk has a cash acceptor). */
  due: { amount: number; currency: string } | null;
}

/** What the paying demo parcel costs: a ¥1,000 bill and a ¥500 coin on /sim. */
export const DEMO_DUE = { amount: 1500, currency: 'JPY' };

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

/** The demo's courier: a PIN made at each start and kept in memory only (no default password anywhere). */
export async function demoCourier(config: Config): Promise<{ id: string; pin: string }> {
  const courier = { id: '9000', pin: digits(8) };
  config.couriers = [...config.couriers.filter((c) => c.id !== courier.id), { id: courier.id, pin: await hashCourierPin(courier.pin, { logN: 14, r: 8, p: 1 }) }];
  return courier;
}

/** The demo's reference seller (its own key and database under the kiosk's data dir), trusted by this kiosk. */
export function demoSeller(config: Config, log: Log): ReferenceSeller {
  const dir = join(config.dataDir, 'demo-seller');
  if (!existsSync(join(dir, 'seller.json'))) ReferenceSeller.keygen(dir, 'demo-shop');
  const seller = ReferenceSeller.open({ dir, log: log.child({ ns: 'demo-seller' }) });
  const id = seller.identity();
  const keys = config.trust.sellers[id.sellerId] ?? [];
  if (!keys.includes(id.ed25519Public)) config.trust.sellers[id.sellerId] = [...keys, id.ed25519Public];
  return seller;
}

/** What the page lists: events as the seller received them. */
export function sellerEventLines(seller: ReferenceSeller): string[] {
  return seller
    .events(20)
    .map((e) => `seller got ${e.type} ${e.txn}${typeof e.body.lockerId === 'string' ? ` (${e.body.lockerId})` : ''}${e.proof ? ` proof ${e.proof}` : ''}`);
}

/**
 * Has the seller issue `count` parcels for this kiosk (code, mode-1 slip,
 * label, manifest with verifier) and loads each through the courier flow on
 * the simulated hardware.
 */
export async function loadDemoParcels(
  k: RunningKiosk,
  seller: ReferenceSeller,
  brokerUrl: string,
  courier: { id: string; pin: string },
  count: number,
): Promise<DemoParcel[]> {
  if (!k.sims) throw new Error('demo parcels need simulated devices');
  seller.addKiosk(identityJson(k.config.kioskId, k.identity));
  await seller.connect({ brokerUrl });
  const channelOf = (id: string): number => k.store.compartments.get(id)?.channel ?? -1;
  // Demo parcels of an earlier run: nobody knows their codes any more (the kiosk never kept them),
  // so the seller withdraws them and the courier takes them back, as in a real return.
  const old = k.store.parcels.inState('stored').filter((p) => p.sellerId === seller.id && p.compartmentId !== null && seller.parcel(p.txn) !== null);
  if (old.length > 0) {
    await seller.cancel(old.map((p) => p.txn));
    for (let t = 0; t < 250 && old.some((p) => !k.store.parcels.get(p.sellerId, p.txn)?.withdrawn); t++) await new Promise((r) => setTimeout(r, 20));
    await courierTakesBack(k.kiosk, k.sims, courier, old.map((p) => ({ sellerId: p.sellerId, txn: p.txn, compartmentId: p.compartmentId as string })), channelOf);
  }
  const out: DemoParcel[] = [];
  for (let i = 1; i <= count; i++) {
    const due = i === count && count >= 2 && k.config.devices.cash !== null ? DEMO_DUE : null;
    const issued = await seller.issue({ kioskId: k.config.kioskId, size: 'M', mode: 1, ...(due ? { due } : {}) });
    // The manifest travels through the broker; give it a moment so the kiosk knows the size.
    for (let t = 0; t < 100 && k.store.parcels.get(seller.id, issued.txn) === null; t++) await new Promise((r) => setTimeout(r, 20));
    const compartmentId = await courierLoads(k.kiosk, k.sims, courier, { sellerId: seller.id, txn: issued.txn, slip: issued.slip, size: 'M' }, channelOf);
    out.push({ txn: issued.txn, code: issued.code, compartmentId, label: issued.label, due });
  }
  return out;
}
