/**
 * The item sensor in the kiosk's flows over real transports: a kiosk started
 * with config/hil.json, its locks a Kerong CU12 bank on a socat pty with the
 * CU12 wire simulator (drivers/locks/cu12-sim.ts) at the far end, keypad and
 * scanner on their own ptys. No card reader (pcscd is shared with other test
 * files). The same steps test/e2e/sim-item.test.ts takes with in-process sims.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHilRig, type HilRig } from '../../drivers/hil-rig.js';
import { startKiosk, type RunningKiosk } from '../../src/app.js';
import { hashCourierPin, loadConfig, packageRoot } from '../../src/config/index.js';
import { generateEd25519 } from '../../src/domain/index.js';
import { driveOnRig } from '../support/hil-driven.js';
import { until } from '../support/until.js';
import { COURIER, FAST, load, openLoad, tryCode, waitFor, type Driven } from '../support/kiosk.js';
import { tempDir } from '../support/tmp.js';

let rig: HilRig | null = null;
let k: RunningKiosk | null = null;
let cleanup: (() => void) | null = null;
afterEach(async () => {
  await k?.stop();
  await rig?.stop();
  cleanup?.();
  k = rig = cleanup = null;
});

interface Started {
  kiosk: RunningKiosk;
  r: HilRig;
  driven: Driven;
  /** Puts the item in or takes it out at the board, and waits until the kiosk has read it over the bus. */
  item: (id: string, present: boolean) => Promise<void>;
  pulses: (id: string) => number;
}

async function start(): Promise<Started> {
  const t = tempDir('pk-hil-item-');
  cleanup = t.cleanup;
  const r = (rig = await startHilRig(join(t.dir, 'rig'), { locks: 'cu12' }));
  const seller = { id: 'shop-a', keys: generateEd25519() };
  const file = JSON.parse(readFileSync(join(packageRoot(), 'config/hil.json'), 'utf8')) as { devices: Record<string, unknown> };
  file.devices = {
    ...file.devices,
    keypad: { driver: 'serial', path: r.paths.keypad, baudRate: 9600 },
    scanner: { driver: 'serial', path: r.paths.scanner, baudRate: 9600 },
    locks: { driver: 'cu12', path: r.paths.locks, baudRate: 19200, boards: [0] },
    fingerprint: { driver: 'r30x', path: r.paths.fingerprint, baudRate: 57600 },
    card: null,
  };
  const configPath = join(t.dir, 'hil-cu12.json');
  writeFileSync(configPath, JSON.stringify(file));
  const config = loadConfig({ configPath, overrides: { dataDir: join(t.dir, 'data'), httpPort: 0, trust: [{ id: seller.id, key: seller.keys.publicKey.toString('hex') }] } });
  expect(config.devices.locks.driver).toBe('cu12');
  expect(config.devices.card).toBeNull();
  config.couriers = [{ id: COURIER.id, pin: await hashCourierPin(COURIER.pin, FAST) }];
  const kiosk = (k = await startKiosk({ config }));
  expect(kiosk.sims).toBeNull(); // real drivers: no in-process sims

  const { driven, channelOf, pulses } = driveOnRig(kiosk, r, seller);
  return {
    kiosk, r, driven, pulses,
    item: async (id, present) => {
      r.item(channelOf(id), present);
      await until(`item ${id} ${present ? 'in' : 'out'}`, () => kiosk.kiosk.occupancy().get(id) === present);
    },
  };
}

describe('item sensors in the flows, CU12 boards over a socat pty', () => {
  it('a load is stored with the item inside; a pickup whose door closes on the item is not handed over until it is taken', async () => {
    const { kiosk, driven, item, pulses } = await start();
    const { hands } = driven;
    const txn = 'H-IT-1';
    const code = '12121212';
    // Every compartment reads empty over the bus before anything is loaded.
    await until('occupancy read', () => [...kiosk.kiosk.occupancy().values()].every((v) => v === false));

    const cid = await load(driven, txn, code, { beforeClose: (id) => item(id, true) });
    expect(kiosk.store.parcels.get('shop-a', txn)).toMatchObject({ state: 'stored', compartmentId: cid });
    expect(kiosk.store.outbox.all().map((e) => e.kind)).toEqual(['parcel.arrived']);

    // The right code opens the door; it is closed with the parcel still inside.
    const before = pulses(cid);
    await tryCode(driven, txn, code, 'door-open');
    expect(pulses(cid)).toBe(before + 1);
    await hands.door(cid, true);
    await hands.door(cid, false);
    const s = await waitFor(hands, 'item-inside');
    expect(s.params).toMatchObject({ compartment: cid, reopen: true });
    expect(kiosk.store.parcels.get('shop-a', txn)?.state).toBe('stored');
    expect(kiosk.store.outbox.all().map((e) => e.kind)).toEqual(['parcel.arrived']);

    // # opens it again over the bus; this time the parcel is taken: handed over, one receipt.
    await hands.press('#');
    await waitFor(hands, 'door-open');
    expect(pulses(cid)).toBe(before + 2);
    await hands.door(cid, true);
    await item(cid, false);
    await hands.door(cid, false);
    await waitFor(hands, 'thanks');
    expect(kiosk.store.parcels.get('shop-a', txn)?.state).toBe('handed_over');
    expect(kiosk.store.outbox.all().map((e) => e.kind).sort()).toEqual(['parcel.arrived', 'parcel.handed_over']);
  }, 60_000);

  it('a courier who closes the door on an empty compartment stores nothing', async () => {
    const { kiosk, driven } = await start();
    const { hands } = driven;
    const txn = 'H-IT-2';
    await until('occupancy read', () => [...kiosk.kiosk.occupancy().values()].every((v) => v === false));
    const cid = await openLoad(driven, txn, '34343434');
    await hands.door(cid, true);
    await hands.door(cid, false);
    await waitFor(hands, 'courier-empty');
    expect(kiosk.store.parcels.get('shop-a', txn)?.state).not.toBe('stored');
    expect(kiosk.store.compartments.get(cid)?.state).toBe('free');
    expect(kiosk.store.outbox.all()).toEqual([]);
  }, 60_000);
});
