/**
 * The lockers flow end to end with config/hil.json: every serial device is a
 * wire-level simulator on the far end of a socat pty, driven through the
 * kiosk's real serialport drivers (CU16 locks, serial keypad and scanner,
 * R30x pad) and the card reader through pcscd + vpcd — the same steps the
 * in-process /sim test takes.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireVpcdSlot, type VpcdSlot } from '../../drivers/card/vpcd-lock.js';
import { startHilRig, type HilRig } from '../../drivers/hil-rig.js';
import { startKiosk, type RunningKiosk } from '../../src/app.js';
import { hashCourierPin, loadConfig, packageRoot } from '../../src/config/index.js';
import { generateEd25519 } from '../../src/domain/index.js';
import { driveOnRig } from '../support/hil-driven.js';
import { until } from '../support/until.js';
import { COURIER, FAST, load, tryCode, waitFor } from '../support/kiosk.js';
import { tempDir } from '../support/tmp.js';
import { execFileSync } from 'node:child_process';

let rig: HilRig | null = null;
let k: RunningKiosk | null = null;
let cleanup: (() => void) | null = null;
let slot: VpcdSlot | null = null;
// The kiosk's reader sees every vpcd card on the machine: hold the slot, so
// another test file's card is never read (and reset) by this kiosk.
beforeAll(async () => {
  slot = await acquireVpcdSlot({ timeoutMs: 110_000 });
}, 120_000);
afterAll(async () => {
  await slot?.release();
});
afterEach(async () => {
  await k?.stop();
  await rig?.stop();
  cleanup?.();
  k = rig = cleanup = null;
});

describe('lockers over real transports (config/hil.json)', () => {
  it('loads three parcels and hands them over, refusing a wrong code, exactly as with in-process sims', async () => {
    execFileSync('bash', [join(packageRoot(), 'scripts/pcscd-vpcd.sh')], { stdio: 'ignore' });
    const t = tempDir('pk-hil-');
    cleanup = t.cleanup;
    rig = await startHilRig(join(t.dir, 'rig'));
    const seller = { id: 'shop-a', keys: generateEd25519() };
    const config = loadConfig({
      configPath: join(packageRoot(), 'config/hil.json'),
      overrides: { dataDir: join(t.dir, 'data'), httpPort: 0, trust: [{ id: seller.id, key: seller.keys.publicKey.toString('hex') }] },
    });
    const d = config.devices;
    if (d.keypad.driver !== 'serial' || d.scanner.driver !== 'serial' || d.locks.driver !== 'cu16' || d.fingerprint?.driver !== 'r30x' || d.card?.driver !== 'pcsc') {
      throw new Error('config/hil.json must name real drivers for every device');
    }
    d.keypad.path = rig.paths.keypad;
    d.scanner.path = rig.paths.scanner;
    d.locks.path = rig.paths.locks;
    d.fingerprint.path = rig.paths.fingerprint;
    config.couriers = [{ id: COURIER.id, pin: await hashCourierPin(COURIER.pin, FAST) }];
    k = await startKiosk({ config });
    expect(k.sims).toBeNull(); // real drivers: no /sim routes
    expect((await fetch(new URL('/sim/state', k.ui!.url))).status).toBe(404);

    const kiosk = k;
    const r = rig;
    const { driven } = driveOnRig(kiosk, r, seller);

    const parcels = [
      { txn: 'H-1', code: '11112222' },
      { txn: 'H-2', code: '33334444' },
      { txn: 'H-3', code: '55556666' },
    ];
    const where = new Map<string, string>();
    for (const p of parcels) where.set(p.txn, await load(driven, p.txn, p.code));
    expect(new Set(where.values()).size).toBe(3);

    await tryCode(driven, 'H-2', '99999999', 'denied');
    expect(kiosk.store.attempts.parcelFailures('shop-a', 'H-2')).toBe(1);
    // The keypad and the scanner are two lines: the next scan must not overtake this `*` on its way in.
    await driven.hands.press('*');
    await waitFor(driven.hands, 'idle');

    for (const p of parcels) {
      const cid = where.get(p.txn)!;
      const before = await driven.hands.pulses();
      const s = await tryCode(driven, p.txn, p.code, 'door-open');
      expect(s.params).toMatchObject({ compartment: cid });
      expect(await driven.hands.pulses()).toEqual({ ...before, [cid]: before[cid] + 1 });
      await driven.hands.door(cid, true);
      await driven.hands.door(cid, false);
      await waitFor(driven.hands, 'thanks');
      expect(kiosk.store.parcels.get('shop-a', p.txn)?.state).toBe('handed_over');
    }
    const kinds = kiosk.store.outbox.all().map((e) => e.kind).sort();
    expect(kinds).toEqual(['parcel.arrived', 'parcel.arrived', 'parcel.arrived', 'parcel.handed_over', 'parcel.handed_over', 'parcel.handed_over']);

    // The lock bus's cable is pulled and plugged back: an alarm each way, and the doors work again.
    const alarms = () => kiosk.store.audit.recent(1000).map((a) => a.kind).filter((k) => k.startsWith('alarm.device'));
    await r.unplug('locks');
    await until('a device-lost alarm', () => alarms().includes('alarm.device-lost'), 10_000);
    await r.replug('locks');
    await until('a device-restored alarm', () => alarms().includes('alarm.device-restored'), 10_000);
    const extra = await load(driven, 'H-4', '77778888');
    expect(kiosk.store.parcels.get('shop-a', 'H-4')).toMatchObject({ state: 'stored', compartmentId: extra });
  }, 60_000);
});
