import { randomInt } from 'node:crypto';
import { rfc3339 } from '../clock.js';
import { hashCourierPin, type Config } from '../config/index.js';
import { generateEd25519, makeSlip, type Ed25519KeyPair } from '../domain/index.js';
import type { RunningKiosk } from '../app.js';
import { courierLoads } from './drive.js';

export interface DemoParcel {
  txn: string;
  code: string;
  compartmentId: string;
}

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

/** A seller key for a demo without the reference seller, trusted by this kiosk only for this run. */
export function demoSellerKey(config: Config, sellerId = 'demo-shop'): { id: string; keys: Ed25519KeyPair } {
  const keys = generateEd25519();
  config.trust.sellers[sellerId] = [...(config.trust.sellers[sellerId] ?? []), keys.publicKey.toString('hex')];
  return { id: sellerId, keys };
}

/**
 * Loads `count` demo parcels through the courier flow on the simulated
 * hardware. Each gets a mode-1 slip made for this kiosk.
 */
export async function loadDemoParcels(
  k: RunningKiosk,
  courier: { id: string; pin: string },
  seller: { id: string; keys: Ed25519KeyPair },
  count: number,
): Promise<DemoParcel[]> {
  if (!k.sims) throw new Error('demo parcels need simulated devices');
  const out: DemoParcel[] = [];
  const day = rfc3339(Date.now()).slice(0, 10).replace(/-/g, '');
  for (let i = 1; i <= count; i++) {
    const txn = `D${day}-${digits(4)}`;
    const code = digits(8);
    const slip = await makeSlip({ seller, mode: 1, code, plaintext: { txn }, kioskX25519Public: k.identity.x25519.publicKey });
    const compartmentId = await courierLoads(k.kiosk, k.sims, courier, { sellerId: seller.id, txn, slip, size: 'M' }, (id) => k.store.compartments.get(id)?.channel ?? -1);
    out.push({ txn, code, compartmentId });
  }
  return out;
}
