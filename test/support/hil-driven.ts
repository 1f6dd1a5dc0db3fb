/**
 * A kiosk started on the HIL rig, driven as a person would: keys and scans
 * through the rig's wire simulators, doors at the lock boards, pulses counted
 * at the boards. Shared by the HIL flow tests (lockers, item sensors).
 */
import type { HilRig } from '../../drivers/hil-rig.js';
import type { RunningKiosk } from '../../src/app.js';
import { makeSlip, type Ed25519KeyPair } from '../../src/domain/index.js';
import { FAST, simScreen, type Driven } from './kiosk.js';
import { until } from './until.js';

export interface RigDriven {
  driven: Driven;
  channelOf: (id: string) => number;
  /** Unlock pulses the board has seen for a compartment. */
  pulses: (id: string) => number;
}

export function driveOnRig(kiosk: RunningKiosk, rig: HilRig, seller: { id: string; keys: Ed25519KeyPair }): RigDriven {
  const channelOf = (id: string): number => kiosk.store.compartments.get(id)!.channel;
  const pulses = (id: string): number => {
    const { board, lock } = rig.lockAt(channelOf(id));
    return board.pulses.filter((p) => p.lock === lock).length;
  };
  const driven: Driven = {
    sellerId: seller.id,
    slip: (txn, code) => makeSlip({ seller, mode: 1, code, plaintext: { txn }, params: FAST, kioskX25519Public: kiosk.identity.x25519.publicKey }),
    hands: {
      press: (keys) => rig.keypad.press(keys),
      scan: (text) => rig.scanner.scan(text),
      async door(id, open) {
        const { board, lock } = rig.lockAt(channelOf(id));
        if (open) board.openDoor(lock);
        else board.closeDoor(lock);
        // a person's door takes longer than one poll: wait until the kiosk has seen it
        await until(`door ${id} ${open ? 'open' : 'closed'}`, () => kiosk.store.compartments.get(id)?.doorOpen === open);
      },
      screen: async () => simScreen(kiosk.kiosk.screen.get()),
      pulses: async () => Object.fromEntries(kiosk.store.compartments.list().map((c) => [c.id, pulses(c.id)])),
    },
  };
  return { driven, channelOf, pulses };
}
