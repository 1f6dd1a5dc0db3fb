import type { Sims } from '../../drivers/devices.js';
import type { SimKeypad } from '../../drivers/keypad/sim.js';
import type { Kiosk } from '../flows/kiosk.js';
import type { ScreenId } from '../flows/screen.js';

/** Waits until the kiosk shows `id` (or throws with what it shows instead). */
export function waitForScreen(kiosk: Kiosk, id: ScreenId, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const now = kiosk.screen.get();
    if (now.id === id) return resolve(now.text);
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      const s = kiosk.screen.get();
      reject(new Error(`the kiosk shows "${s.id}" (${s.text}), not "${id}"`));
    }, timeoutMs);
    kiosk.screen.onChange((s) => {
      if (done || s.id !== id) return;
      done = true;
      clearTimeout(timer);
      resolve(s.text);
    });
  });
}

/** A courier signs in at the keypad: `*`, their number, their PIN. */
async function signIn(kiosk: Kiosk, keypad: SimKeypad, courier: { id: string; pin: string }): Promise<void> {
  keypad.press('*');
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
  const next = Promise.race([waitForScreen(kiosk, 'courier-door'), waitForScreen(kiosk, 'courier-size')]);
  scanner.scan(`${parcel.sellerId}/${parcel.txn}`);
  await next;
  if (kiosk.screen.get().id === 'courier-size') {
    keypad.press(parcel.size === 'S' ? '1' : parcel.size === 'M' ? '2' : '3');
    await waitForScreen(kiosk, 'courier-door');
  }
  const text = kiosk.screen.get().text;
  const m = /compartment ([A-Z][0-9]{2})/.exec(text);
  if (!m) throw new Error(`no compartment named on the screen: ${text}`);
  const id = m[1];
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
