/**
 * The seller side of a proof: the reference seller's `serve` in a process of
 * its own; its keys, the kiosk's keys and the kiosk's registration made in
 * this process with the same code the command line runs (`seller keygen`,
 * `keygen`, `seller kiosk add`: a node process each would cost a second of
 * module loading and prove nothing more); and what the seller recorded, read
 * back from its database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { rfc3339 } from '../../src/core/clock.js';
import { encodeEnvelope, signEnvelope, uuidv7 } from '../../src/domain/index.js';
import { loadSellerKey } from '../../src/seller/keys.js';
import { hashCourierPin } from '../../src/config/index.js';
import { generateIdentity, identityJson } from '../../src/identity.js';
import { ReferenceSeller } from '../../src/seller/index.js';
import { packageRootDir } from './kiosk.js';

/** Cheap scrypt for slips and PINs, so a proof spends its time on crashes, not key derivation. */
export const FAST = { logN: 14, r: 1, p: 1 };
export const COURIER = { id: '7001', pin: '24681357' };

export function cli(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(packageRootDir(), 'bin', 'pickup-kiosk.js'), ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

export interface SellerSetup {
  sellerId: string;
  sellerDir: string;
  publicKey: string;
}

/** What `seller keygen` and `seller identity` do. */
export function sellerKeygen(sellerDir: string, sellerId = 'shop-p'): SellerSetup {
  const id = ReferenceSeller.keygen(sellerDir, sellerId);
  return { sellerId: id.sellerId, sellerDir, publicKey: id.ed25519Public };
}

/** What `pickup-kiosk keygen` does for the kiosk, then `seller kiosk add` with its identity. */
export async function registerKiosk(seller: SellerSetup, configPath: string, dataDir: string): Promise<void> {
  const { kioskId } = JSON.parse(readFileSync(configPath, 'utf8')) as { kioskId: string };
  const identity = identityJson(kioskId, generateIdentity(dataDir));
  const s = ReferenceSeller.open({ dir: seller.sellerDir });
  try {
    s.addKiosk(identity);
  } finally {
    await s.close();
  }
}

export function courierEntry(): Promise<unknown> {
  return hashCourierPin(COURIER.pin, FAST).then((pin) => ({ id: COURIER.id, pin }));
}

export interface Parcel {
  txn: string;
  code: string;
  slip: string;
}

/** The seller issues parcels (mode-1 slips for this kiosk, no label, no manifest push). */
export async function issueParcels(seller: SellerSetup, kioskId: string, n: number, prefix: string, code?: () => string): Promise<Parcel[]> {
  const s = ReferenceSeller.open({ dir: seller.sellerDir });
  try {
    const out: Parcel[] = [];
    for (let i = 0; i < n; i++) {
      const txn = `${prefix}${String(i).padStart(5, '0')}`;
      const p = await s.issue({ kioskId, txn, mode: 1, size: 'S', params: FAST, label: false, push: false, ...(code ? { code: code() } : {}) });
      out.push({ txn: p.txn, code: p.code, slip: p.slip });
    }
    return out;
  } finally {
    await s.close();
  }
}

/** One `seller serve` process. */
export class SellerServe {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  out = '';

  constructor(
    private readonly seller: SellerSetup,
    private readonly brokerUrl: string,
    private readonly share: string | null,
    private readonly failureLimit = 999,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<void> {
    const args = [join(packageRootDir(), 'bin', 'pickup-kiosk.js'), 'seller', 'serve', '--seller-dir', this.seller.sellerDir, '--broker', this.brokerUrl, '--failure-limit', String(this.failureLimit)];
    args.push(...(this.share === null ? ['--no-share'] : ['--share', this.share]));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      this.out = err.slice(-4000);
    });
    const end = Date.now() + 20_000;
    while (!err.includes('serving')) {
      if (child.exitCode !== null || Date.now() > end) {
        child.kill('SIGKILL');
        throw new Error(`seller serve did not start: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (c === null) return;
    if (c.exitCode === null && c.signalCode === null) c.kill(signal);
    await this.exited;
    this.child = null;
  }
}

/** Publishes a manifest as the seller (signed with its key): for what `seller issue` does not send, like a fingerprint template. */
export async function publishManifest(seller: SellerSetup, brokerUrl: string, kioskId: string, seq: number, upserts: unknown[]): Promise<void> {
  const key = loadSellerKey(seller.sellerDir);
  const body = { type: 'manifest', id: uuidv7(), at: rfc3339(Date.now()), sellerId: key.sellerId, kioskId, seq, upserts, cancels: [] };
  const c = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4, clientId: `proof-seller-${uuidv7()}` });
  try {
    await c.publishAsync(`pk/v1/kiosk/${kioskId}/manifest`, encodeEnvelope(signEnvelope(body, { id: key.sellerId, keys: key.keys })), { qos: 1 });
  } finally {
    await c.endAsync();
  }
}

export interface Receipts {
  /** Handover receipts per txn (more than 1 is a duplicate). */
  handovers: Map<string, number>;
  events: number;
}

/** What the seller recorded, read from its database. */
export function sellerReceipts(sellerDir: string): Receipts {
  const db = new Database(join(sellerDir, 'seller.db'), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db.prepare("SELECT txn, count(*) AS n FROM events WHERE type = 'parcel.handed_over' GROUP BY txn").all() as Array<{ txn: string; n: number }>;
    const events = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    return { handovers: new Map(rows.map((r) => [r.txn, r.n])), events };
  } finally {
    db.close();
  }
}
