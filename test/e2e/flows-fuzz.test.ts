/**
 * Random people at a simulated kiosk: key presses, scans, doors, time. Whatever
 * they do, a door opens only after its parcel's right code, no parcel is handed
 * over twice, the store stays consistent, and no code reaches the log.
 */
import fc from 'fast-check';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildDevices } from '../../src/app/devices.js';
import { startKiosk, type RunningKiosk } from '../../src/app.js';
import { hashCourierPin, loadConfig } from '../../src/config/index.js';
import { courierLoads } from '../../src/demo/drive.js';
import { generateEd25519, makeSlip } from '../../src/domain/index.js';
import { createLogger } from '../../src/core/log.js';
import { FakeClock } from '../support/fake-clock.js';
import { FAST } from '../support/kiosk.js';
import { tempDir } from '../support/tmp.js';

type Action =
  | { k: 'keys'; s: string }
  | { k: 'code'; i: number; right: boolean }
  | { k: 'name'; i: number; how: 'scan' | 'digits' }
  | { k: 'scan'; s: string }
  | { k: 'door'; c: number; open: boolean }
  | { k: 'time'; ms: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ k: fc.constant('keys' as const), s: fc.string({ unit: fc.constantFrom(...'0123456789*#'), maxLength: 10 }) }),
  fc.record({ k: fc.constant('code' as const), i: fc.nat(2), right: fc.boolean() }),
  fc.record({ k: fc.constant('name' as const), i: fc.nat(2), how: fc.constantFrom('scan' as const, 'digits' as const) }),
  fc.record({ k: fc.constant('scan' as const), s: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('courier:9000', 'PKS1.AAAA', 'shop-a/NOPE', '')) }),
  fc.record({ k: fc.constant('door' as const), c: fc.nat(11), open: fc.boolean() }),
  fc.record({ k: fc.constant('time' as const), ms: fc.constantFrom(0, 1000, 29_000, 31_000, 61_000, 130_000, 7 * 86_400_000) }),
);

const PARCELS = [
  { txn: 'F-101', code: '31415926' },
  { txn: 'F-202', code: '27182818' },
  { txn: 'F-303', code: '16180339' },
];

async function settle(k: RunningKiosk): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await new Promise((r) => setImmediate(r));
    if (k.kiosk.screen.get().id !== 'checking') return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('random people at the kiosk', () => {
  it('never open a door without the right code, never hand over twice, never leak a code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 10, maxLength: 60 }), async (actions) => {
        const t = tempDir('pk-fuzz-');
        const seller = { id: 'shop-a', keys: generateEd25519() };
        const config = loadConfig({ overrides: { dataDir: t.dir, httpPort: 0, trust: [{ id: 'shop-a', key: seller.keys.publicKey.toString('hex') }] } });
        const courier = { id: '9000', pin: '24681012' };
        config.couriers = [{ id: courier.id, pin: await hashCourierPin(courier.pin, FAST) }];
        const clock = new FakeClock(Date.now());
        let log = '';
        const sink = new Writable({ write: (c: Buffer, _e, cb) => ((log += c.toString()), cb()) });
        const hw = await buildDevices(config, clock);
        const k = await startKiosk({ config, clock, log: createLogger({ level: 'debug', destination: sink }), http: false, devices: hw });
        const sims = hw.sims;
        try {
          const channelOf = (id: string) => k.store.compartments.get(id)!.channel;
          const where: string[] = [];
          for (const p of PARCELS) {
            const slip = await makeSlip({ seller, mode: 1, code: p.code, plaintext: { txn: p.txn }, params: FAST, kioskX25519Public: k.identity.x25519.publicKey });
            where.push(await courierLoads(k.kiosk, sims, courier, { sellerId: 'shop-a', txn: p.txn, slip, size: 'M' }, channelOf));
          }
          const rightCodes = [0, 0, 0];
          const comps = k.store.compartments.list();
          for (const a of actions) {
            switch (a.k) {
              case 'keys':
                sims.keypad!.press(a.s);
                break;
              case 'code':
                if (a.right) rightCodes[a.i]++;
                sims.keypad!.press(`${a.right ? PARCELS[a.i].code : '00000000'}#`);
                break;
              case 'name':
                if (a.how === 'scan') sims.scanner!.scan(`shop-a/${PARCELS[a.i].txn}`);
                else sims.keypad!.press(`*${PARCELS[a.i].txn.replace(/\D/g, '')}#`);
                break;
              case 'scan':
                sims.scanner!.scan(a.s);
                break;
              case 'door':
                if (a.open) sims.locks!.openDoor(comps[a.c].channel);
                else sims.locks!.closeDoor(comps[a.c].channel);
                break;
              case 'time':
                clock.advance(a.ms);
                break;
            }
            await settle(k);
            // Invariants after every step.
            const handed = k.store.outbox.all().filter((r) => r.kind === 'parcel.handed_over');
            for (const [i, p] of PARCELS.entries()) {
              const c = comps.find((x) => x.id === where[i])!;
              // one pulse for the load, then at most one per right code typed for it
              expect(sims.locks!.pulses(c.channel)).toBeLessThanOrEqual(1 + rightCodes[i]);
              const mine = handed.filter((r) => JSON.parse(Buffer.from(JSON.parse(r.payload.toString()).body, 'base64url').toString()).txn === p.txn);
              expect(mine.length).toBeLessThanOrEqual(1);
              if (mine.length === 1) expect(rightCodes[i]).toBeGreaterThan(0);
            }
            for (const c of k.store.compartments.list()) {
              const inside = k.store.parcels.inCompartment(c.id);
              if (c.state === 'free') expect(inside).toBeNull();
              if (inside && inside.state === 'stored') expect(c.state === 'occupied' || c.state === 'check').toBe(true);
            }
          }
          for (const p of PARCELS) expect(log).not.toContain(p.code);
        } finally {
          await k.stop();
          for (const d of [hw.devices.keypad, hw.devices.scanner, hw.devices.locks, hw.devices.fingerprint, hw.devices.card, hw.devices.cash]) await d?.close();
          t.cleanup();
        }
      }),
      { numRuns: 25 },
    );
  }, 300_000); // about 25 s alone; several times that beside three other files on a busy machine
});
