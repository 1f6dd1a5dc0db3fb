/**
 * A kiosk in this process with simulated devices and a fake clock, driven
 * without HTTP: keys, scans and doors go straight to the simulators, and a
 * test settles pending promises with `settle()` instead of polling.
 */
import { SimLockBank } from '../../../drivers/locks/sim.js';
import { startKiosk, type LinkPart, type RunningKiosk } from '../../../src/app.js';
import { buildDevices } from '../../../src/app/devices.js';
import type { CommandHandler } from '../../../src/link/commands.js';
import type { OnlineRequest, OnlineResult } from '../../../src/flows/context.js';
import { hashCourierPin, loadConfig, type Config } from '../../../src/config/index.js';
import { silentLog } from '../../../src/core/log.js';
import { generateEd25519, makeSlip, makeVerifier, type Ed25519KeyPair } from '../../../src/domain/index.js';
import type { Screen } from '../../../src/domain/screens.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/tmp.js';

export const FAST = { logN: 14, r: 1, p: 1 };
export const COURIER = { id: '7001', pin: '246810' };
export const CLERK = { id: '8001', pin: '135790' };
export const OPERATOR = { id: '9001', pin: '112233' };

export interface FlowKiosk {
  k: RunningKiosk;
  clock: FakeClock;
  config: Config;
  seller: { id: string; keys: Ed25519KeyPair };
  screen(): Screen;
  press(keys: string): Promise<void>;
  scan(text: string): Promise<void>;
  door(compartmentId: string, open: boolean): Promise<void>;
  pulses(compartmentId: string): number;
  /** Something put into / taken out of a compartment with an item sensor (see `itemSensors`). */
  putItem(compartmentId: string): Promise<void>;
  takeItem(compartmentId: string): Promise<void>;
  /** Lets pending promises (key derivations, store writes) run. */
  settle(): Promise<void>;
  /** Advances the fake clock, then settles. */
  advance(ms: number): Promise<void>;
  /**
   * Stops the kiosk as a power cut would leave it and starts it again on the
   * same data: the simulated lock bank starts anew, every door closed.
   */
  restart(): Promise<void>;
  slip(txn: string, code: string): Promise<string>;
  /** A parcel stored in `compartmentId` with a slip for `code` (written as a load would leave it). */
  stored(txn: string, code: string, compartmentId: string, extra?: { holdUntil?: number }): Promise<void>;
  /** A parcel the seller announced with a verifier for `code` (`key: false`: online only). */
  announced(txn: string, code: string | null, opts?: { key?: boolean; bio?: string }): Promise<void>;
  stop(): Promise<void>;
}

/** A seller link that answers with `answer` (or never, when it returns null) and records what it was asked. */
export function fakeLink(answer: (req: OnlineRequest) => OnlineResult | null): { asked: OnlineRequest[]; link: LinkPart } {
  const asked: OnlineRequest[] = [];
  const link: LinkPart = {
    connected: true,
    kick: () => undefined,
    stop: async () => undefined,
    verifyOnline: async (req) => {
      asked.push(req);
      return answer(req) ?? { result: 'timeout' };
    },
  };
  return { asked, link };
}

export interface FlowOptions {
  /** Compartments whose simulated lock has an item sensor (they start empty); none by default. */
  itemSensors?: string[];
  /** Receives the kiosk's handler for signed operator commands (what the link would call). */
  onCommands?: (h: CommandHandler) => void;
}

export async function flowKiosk(tune?: (c: Config) => void, link?: LinkPart, opts: FlowOptions = {}): Promise<FlowKiosk> {
  const t = tempDir('pk-flow-');
  const seller = { id: 'shop-a', keys: generateEd25519() };
  const config = loadConfig({ overrides: { dataDir: t.dir, trust: [{ id: seller.id, key: seller.keys.publicKey.toString('hex') }] } });
  config.log.level = 'silent';
  config.compartments = [
    { id: 'A01', size: 'S', channel: 1 },
    { id: 'A02', size: 'M', channel: 2 },
    { id: 'A03', size: 'M', channel: 3 },
    { id: 'A04', size: 'L', channel: 4 },
  ];
  config.couriers = [{ id: COURIER.id, pin: await hashCourierPin(COURIER.pin, { logN: 14, r: 1, p: 1 }) }];
  config.clerks = [{ id: CLERK.id, pin: await hashCourierPin(CLERK.pin, { logN: 14, r: 1, p: 1 }) }];
  config.operators = [{ id: OPERATOR.id, pin: await hashCourierPin(OPERATOR.pin, { logN: 14, r: 1, p: 1 }) }];
  tune?.(config);
  const clock = new FakeClock(Date.now());
  const channel = (id: string): number => config.compartments.find((c) => c.id === id)!.channel;
  // With item sensors the harness builds the devices (and closes them); a restart keeps what is inside.
  let owned: Awaited<ReturnType<typeof buildDevices>> | null = null;
  const sensed = opts.itemSensors;
  const devicesFor = async (): Promise<Awaited<ReturnType<typeof buildDevices>> | null> => {
    if (!sensed) return null;
    const before = owned?.sims.locks ?? null;
    const built = await buildDevices(config, clock, silentLog);
    const bank = new SimLockBank(config.compartments.map((c) => c.channel), clock, 5000, { itemSensors: sensed.map(channel) });
    for (const id of sensed) if (before?.snapshot(channel(id)).itemPresent) bank.putItem(channel(id));
    built.devices.locks = bank;
    built.sims.locks = bank;
    if (owned) for (const d of [owned.devices.keypad, owned.devices.scanner, owned.devices.locks]) await d.close();
    owned = built;
    return built;
  };
  const start = async (): Promise<RunningKiosk> => {
    const devices = await devicesFor();
    const makeLink = link || opts.onCommands
      ? async (parts: { commands?: CommandHandler }): Promise<LinkPart | null> => {
          if (parts.commands) opts.onCommands?.(parts.commands);
          return link ?? null;
        }
      : undefined;
    return startKiosk({ config, clock, log: silentLog, http: false, ...(devices ? { devices } : {}), ...(makeLink ? { link: makeLink } : {}) });
  };
  let k = await start();
  let sims = k.sims!;
  const settle = async (): Promise<void> => {
    // scrypt runs on the thread pool: give it real time until no check is pending.
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 1000 && k.kiosk.screen.get().id === 'checking'; i++) await new Promise((r) => setTimeout(r, 2));
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  const f: FlowKiosk = {
    k,
    clock,
    config,
    seller,
    screen: () => k.kiosk.screen.get(),
    async press(keys) {
      for (const key of keys) {
        sims.keypad!.press(key);
        await settle();
      }
    },
    async scan(text) {
      sims.scanner!.scan(text);
      await settle();
    },
    async door(id, open) {
      if (open) sims.locks!.openDoor(channel(id));
      else sims.locks!.closeDoor(channel(id));
      await settle();
    },
    pulses: (id) => sims.locks!.pulses(channel(id)),
    async putItem(id) {
      sims.locks!.putItem(channel(id));
      await settle();
    },
    async takeItem(id) {
      sims.locks!.takeItem(channel(id));
      await settle();
    },
    settle,
    async advance(ms) {
      clock.advance(ms);
      await settle();
    },
    async restart() {
      await k.stop();
      k = await start();
      sims = k.sims!;
      f.k = k;
      await settle();
    },
    slip: (txn, code) => makeSlip({ seller, mode: 1, code, plaintext: { txn }, params: FAST, kioskX25519Public: k.identity.x25519.publicKey }),
    async stored(txn, code, compartmentId, extra = {}) {
      const slip = await f.slip(txn, code);
      k.store.parcels.insert({ sellerId: seller.id, txn, state: 'stored', compartmentId, slip, holdUntil: extra.holdUntil ?? clock.now() + 86_400_000 }, clock.now());
      k.store.compartments.setState(compartmentId, 'occupied', null, clock.now());
    },
    async announced(txn, code, opts = {}) {
      const v = code ? await makeVerifier(code, FAST) : null;
      const verifier = v ? (opts.key === false ? { salt: v.salt, logN: v.logN, r: v.r, p: v.p } : v) : null;
      k.store.parcels.insert({ sellerId: seller.id, txn, state: 'expected', verifier, size: 'M', ...(opts.bio ? { bio: { format: 'r30x-char' as const, template: opts.bio } } : {}) }, clock.now());
    },
    async stop() {
      await k.stop();
      if (owned) for (const d of [owned.devices.keypad, owned.devices.scanner, owned.devices.locks]) await d.close();
      t.cleanup();
    },
  };
  return f;
}
