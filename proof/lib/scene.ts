/**
 * One proof's world: a private Mosquitto, the reference seller (keys, `serve`
 * process), and one kiosk process with simulated devices; and what people do
 * there, cut into steps so a crash can land between any two of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KioskProcess, writeKioskConfig, type Screen } from './kiosk.js';
import { Broker } from './mosquitto.js';
import { COURIER, courierEntry, registerKiosk, SellerServe, sellerKeygen, type Parcel, type SellerSetup } from './seller.js';

export interface Scene {
  dir: string;
  kioskId: string;
  broker: Broker;
  seller: SellerSetup;
  serve: SellerServe;
  kiosk: KioskProcess;
  close(): Promise<void>;
}

export async function createScene(o: {
  name: string;
  compartments: number;
  share?: string | null;
  extra?: Record<string, unknown>;
  keep?: boolean;
  /** The seller's failed checks per parcel before `locked` (default 999: the kiosk's own limits are what a proof measures). */
  failureLimit?: number;
}): Promise<Scene> {
  const dir = mkdtempSync(join(tmpdir(), `pk-proof-${o.name}-`));
  const broker = await Broker.start();
  try {
    return await setUp(o, dir, broker);
  } catch (e) {
    // A set-up that fails half-way leaves no broker or folder behind.
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function setUp(o: { name: string; compartments: number; share?: string | null; extra?: Record<string, unknown>; keep?: boolean; failureLimit?: number }, dir: string, broker: Broker): Promise<Scene> {
  const kioskId = `kiosk-${o.name}`;
  const seller = sellerKeygen(join(dir, 'seller'));
  const dataDir = join(dir, 'data');
  const configPath = writeKioskConfig(dir, {
    kioskId,
    dataDir,
    brokerUrl: broker.url,
    trust: { [seller.sellerId]: [seller.publicKey] },
    couriers: [await courierEntry()],
    compartments: o.compartments,
    extra: o.extra,
  });
  await registerKiosk(seller, configPath, dataDir);
  const serve = new SellerServe(seller, broker.url, o.share === undefined ? 'proof' : o.share, o.failureLimit);
  await serve.start();
  const kiosk = new KioskProcess(configPath, dataDir, join(dir, 'kiosk.log'));
  try {
    await kiosk.start();
  } catch (e) {
    await kiosk.close();
    await serve.kill();
    throw e;
  }
  return {
    dir,
    kioskId,
    broker,
    seller,
    serve,
    kiosk,
    async close() {
      await kiosk.close();
      await serve.kill();
      await broker.close();
      if (o.keep !== true && process.env.PROOF_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class StepFailed extends Error {
  constructor(
    readonly step: string,
    readonly screen: Screen,
  ) {
    super(`${step}: the kiosk shows "${screen.id}" (${screen.text})`);
  }
}

export interface Step {
  name: string;
  run(): Promise<void>;
}

/** The compartment a door-open or courier-door screen names. */
export function compartmentOf(s: Screen): string | null {
  const p = s.params?.compartment;
  if (typeof p === 'string') return p;
  return /compartment ([A-Z][0-9]{2})/i.exec(s.text)?.[1] ?? null;
}

/**
 * The kiosk's answers that end a person's try (it leaves them only for idle):
 * a step that meets one has failed, and waiting out its whole time would only
 * cost seconds (8 for each parcel held for staff at the end of the crash proof).
 */
const REFUSALS = ['not-found', 'denied', 'locked-out', 'try-later', 'contact-seller', 'refused', 'error', 'out-of-service', 'door-not-opened'];

async function expectScreen(k: KioskProcess, step: string, ids: string[], timeoutMs = 8000): Promise<Screen> {
  const s = await k.waitScreen(ids, timeoutMs, REFUSALS);
  if (!ids.includes(s.id)) throw new StepFailed(step, s);
  return s;
}

/** A courier's sign-in: badge scan (or `**`, id, #), then PIN and #. */
export async function signIn(k: KioskProcess): Promise<void> {
  await k.scan(`courier:${COURIER.id}`);
  let s = await k.waitScreen(['courier-pin'], 1500);
  if (s.id !== 'courier-pin') {
    await k.keys('*');
    s = await k.waitScreen(['courier-id'], 500);
    if (s.id !== 'courier-id') await k.keys('*');
    await expectScreen(k, 'sign-in', ['courier-id']);
    await k.keys(`${COURIER.id}#`);
    await expectScreen(k, 'sign-in', ['courier-pin']);
  }
  await k.keys(`${COURIER.pin}#`);
  await expectScreen(k, 'sign-in', ['courier-scan']);
}

/** A courier loading one parcel: where it is at each step is in `where` (the door is opened: the parcel is in). */
export function loadSteps(k: KioskProcess, sellerId: string, p: Parcel, where: { compartment: string | null; placed: boolean }): Step[] {
  return [
    { name: 'courier signs in', run: () => signIn(k) },
    {
      name: 'courier scans the slip',
      run: async () => {
        await k.scan(p.slip);
        await expectScreen(k, 'slip', ['courier-number']);
      },
    },
    {
      name: 'courier scans the number',
      run: async () => {
        await k.scan(`${sellerId}/${p.txn}`);
        let s = await expectScreen(k, 'number', ['courier-door', 'courier-size']);
        if (s.id === 'courier-size') {
          await k.keys('1');
          s = await expectScreen(k, 'size', ['courier-door']);
        }
        where.compartment = compartmentOf(s);
      },
    },
    {
      name: 'courier opens the door and puts the parcel in',
      run: async () => {
        where.placed = true; // the door is unlocked: a courier puts the parcel in, whether or not the kiosk lives on
        await doorOrFail(k, 'put in', where.compartment, true, () => (where.placed = false));
      },
    },
    {
      name: 'courier closes the door',
      run: async () => {
        await doorOrFail(k, 'close', where.compartment, false, () => undefined);
        await expectScreen(k, 'stored', ['courier-scan']);
      },
    },
    {
      name: 'courier signs out',
      run: async () => {
        await k.keys('*');
        await expectScreen(k, 'sign-out', ['idle']);
      },
    },
  ];
}

export type Medium = 'keypad' | 'scan' | 'card' | 'tag' | 'finger';

/** A recipient's pickup, key by key; `taken` once the door is opened (the parcel is in their hands). */
export function pickupSteps(k: KioskProcess, sellerId: string, p: Parcel & { template?: Buffer }, medium: Medium, out: { compartment: string | null; taken: boolean }): Step[] {
  const steps: Step[] = [];
  const named = ['enter-code'];
  switch (medium) {
    case 'keypad': {
      const digits = p.txn.replace(/\D/g, '');
      steps.push({ name: 'recipient types the number', run: async () => void (await k.keys(digits)) });
      steps.push({ name: 'recipient presses # after the number', run: async () => void (await k.keys('#')) });
      break;
    }
    case 'scan':
    case 'finger':
      steps.push({ name: 'recipient scans the number', run: async () => void (await k.scan(`${sellerId}/${p.txn}`)) });
      break;
    case 'card':
      steps.push({ name: 'recipient inserts the card', run: async () => void (await k.post('/sim/card', { insert: { pin: p.code, files: { '5331': p.slip } } })) });
      break;
    case 'tag':
      steps.push({ name: 'recipient presents the tag', run: async () => void (await k.post('/sim/tag', { text: p.slip })) });
      break;
  }
  steps.push({ name: 'the kiosk asks for the code', run: async () => void (await expectScreen(k, 'name', named)) });
  if (medium === 'finger') {
    steps.push({ name: 'recipient places the finger', run: async () => void (await k.post('/sim/finger', { template: (p.template ?? Buffer.alloc(0)).toString('base64') })) });
  } else {
    for (const key of p.code) steps.push({ name: 'recipient types a code key', run: async () => void (await k.keys(key)) });
    steps.push({ name: 'recipient presses # after the code', run: async () => void (await k.keys('#')) });
  }
  steps.push({
    name: 'the door is unlocked',
    run: async () => {
      out.compartment = compartmentOf(await expectScreen(k, 'code', ['door-open']));
    },
  });
  steps.push({
    name: 'recipient opens the door and takes the parcel',
    run: async () => {
      out.taken = true; // the door is unlocked: the recipient takes the parcel, whether or not the kiosk lives on
      await doorOrFail(k, 'take', out.compartment, true, () => (out.taken = false));
    },
  });
  steps.push({
    name: 'recipient closes the door',
    run: async () => {
      await doorOrFail(k, 'close', out.compartment, false, () => undefined);
      await expectScreen(k, 'close', ['thanks', 'idle']);
      if (medium === 'card') await k.post('/sim/card', { remove: true });
      if (medium === 'finger') await k.post('/sim/finger', { lift: true });
    },
  });
  return steps;
}

/** Moves a door; a refusal (not a dead kiosk: that is a crash, status 0) undoes what the person did and fails the step. */
async function doorOrFail(k: KioskProcess, step: string, id: string | null, open: boolean, undo: () => void): Promise<void> {
  const status = await k.door(id ?? '', open);
  if (status === 200 || status === 0) return;
  undo();
  throw new StepFailed(`${step} (door ${id ?? '?'} answered ${status})`, (await k.state()).screen);
}

/** One courier session loading many parcels (sign in once); returns txn → compartment. */
export async function loadMany(k: KioskProcess, sellerId: string, parcels: readonly Parcel[]): Promise<Map<string, string>> {
  const at = new Map<string, string>();
  await toIdle(k);
  await signIn(k);
  for (const p of parcels) {
    const where = { compartment: null as string | null, placed: false };
    for (const s of loadSteps(k, sellerId, p, where).slice(1, -1)) await s.run();
    at.set(p.txn, where.compartment ?? '?');
  }
  await k.keys('*');
  await expectScreen(k, 'sign-out', ['idle']);
  return at;
}

export async function runSteps(steps: Step[]): Promise<void> {
  for (const s of steps) await s.run();
}

/** Back to idle from wherever a person left the kiosk (`*` until idle, at most a few times). */
export async function toIdle(k: KioskProcess): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const s = (await k.state()).screen;
    if (s.id === 'idle') return;
    await k.keys('*');
    await k.waitScreen(['idle'], 400);
  }
}
