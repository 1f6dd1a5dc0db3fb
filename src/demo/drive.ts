import type { Sims } from '../../drivers/devices.js';
import type { SimKeypad } from '../../drivers/keypad/sim.js';
import type { Kiosk } from '../flows/kiosk.js';
import type { Screen, ScreenId } from '../flows/screen.js';

/**
 * Waits until the kiosk shows `id` (or one of the ids), or throws with what it
 * shows instead. Once settled it leaves no timer and no listener behind: a
 * pending timer would keep the process from exiting when it is stopped.
 */
export function waitForScreen(kiosk: Kiosk, id: ScreenId | readonly ScreenId[], timeoutMs = 15_000): Promise<Screen> {
  const ids: readonly ScreenId[] = typeof id === 'string' ? [id] : id;
  return new Promise((resolve, reject) => {
    const now = kiosk.screen.get();
    if (ids.includes(now.id)) return resolve(now);
    const timer = setTimeout(() => {
      off();
      const s = kiosk.screen.get();
      reject(new Error(`the kiosk shows "${s.id}" (${JSON.stringify(s)}), not "${ids.join('" or "')}"`));
    }, timeoutMs);
    const off = kiosk.screen.onChange((s) => {
      if (!ids.includes(s.id)) return;
      off();
      clearTimeout(timer);
      resolve(s);
    });
  });
}

/** A courier signs in at the keypad: `*` `*`, their number, their PIN. */
async function signIn(kiosk: Kiosk, keypad: SimKeypad, courier: { id: string; pin: string }): Promise<void> {
  keypad.press('**');
  await waitForScreen(kiosk, 'courier-id');
  keypad.press(`${courier.id}#`);
  await waitForScreen(kiosk, 'courier-pin');
  keypad.press(`${courier.pin}#`);
  await waitForScreen(kiosk, 'courier-scan');
}

/**
 * Loads one parcel the way a courier would, by acting as the simulated
 * hardware: sign in, scan slip and number, close the door. Returns the
 * compartment used.
 */
export async function courierLoads(
  kiosk: Kiosk,
  sims: Sims,
  courier: { id: string; pin: string },
  parcel: { sellerId: string; txn: string; slip: string | null; size: 'S' | 'M' | 'L' },
  channelOf: (compartmentId: string) => number,
): Promise<string> {
  const { keypad, scanner, locks } = sims;
  if (!keypad || !scanner || !locks) throw new Error('the demo needs a simulated keypad, scanner and lock bank');
  await signIn(kiosk, keypad, courier);
  if (parcel.slip) {
    scanner.scan(parcel.slip);
    await waitForScreen(kiosk, 'courier-number');
  }
  const next = waitForScreen(kiosk, ['courier-door', 'courier-size']);
  scanner.scan(`${parcel.sellerId}/${parcel.txn}`);
  await next;
  if (kiosk.screen.get().id === 'courier-size') {
    keypad.press(parcel.size === 'S' ? '1' : parcel.size === 'M' ? '2' : '3');
    await waitForScreen(kiosk, 'courier-door');
  }
  const door = kiosk.screen.get();
  if (door.id !== 'courier-door') throw new Error(`no compartment named on the screen: ${JSON.stringify(door)}`);
  const id = door.compartment;
  const stored = waitForScreen(kiosk, 'courier-scan');
  locks.openDoor(channelOf(id));
  locks.closeDoor(channelOf(id));
  await stored;
  keypad.press('*');
  await waitForScreen(kiosk, 'idle');
  return id;
}

/**
 * Takes back, as a courier would, every parcel waiting here for return
 * (withdrawn by its seller, or uncollected). Returns how many.
 */
export async function courierTakesBack(
  kiosk: Kiosk,
  sims: Sims,
  courier: { id: string; pin: string },
  parcels: ReadonlyArray<{ sellerId: string; txn: string; compartmentId: string }>,
  channelOf: (compartmentId: string) => number,
): Promise<number> {
  const { keypad, scanner, locks } = sims;
  if (!keypad || !scanner || !locks || parcels.length === 0) return 0;
  await signIn(kiosk, keypad, courier);
  for (const p of parcels) {
    const door = waitForScreen(kiosk, 'courier-door');
    scanner.scan(`${p.sellerId}/${p.txn}`);
    await door;
    const back = waitForScreen(kiosk, 'courier-scan');
    locks.openDoor(channelOf(p.compartmentId));
    locks.closeDoor(channelOf(p.compartmentId));
    await back;
  }
  keypad.press('*');
  await waitForScreen(kiosk, 'idle');
  return parcels.length;
}
