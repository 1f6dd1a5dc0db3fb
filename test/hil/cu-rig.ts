/**
 * Kerong CU boards over a real pty pair, shared by the CU16 and CU12 tests:
 * the real SerialPortTransport and a CU bank on the kiosk end, simulated
 * boards sharing the device end (boards daisy-chained on one RS-485 pair).
 */
import type { CuLockBank } from '../../drivers/locks/cu-bank.js';
import type { Cu16BoardSim } from '../../drivers/locks/cu16-sim.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import type { DeviceError } from '../../src/core/errors.js';
import { lockBankContract, type LockHarness } from './contracts/locks.js';

export interface CuRig<S extends Cu16BoardSim, B extends CuLockBank> {
  pty: PtyPair;
  device: SerialPortTransport;
  sims: S[];
  bank: B;
  /** `door 3 open`, `item 3 in`, `board 1 offline`, `disconnect`, … in order. */
  events: string[];
  errors: DeviceError[];
  dispose(): Promise<void>;
}

export async function cuPtyRig<S extends Cu16BoardSim, B extends CuLockBank>(
  attach: (device: SerialPortTransport) => S[],
  makeBank: (kiosk: SerialPortTransport) => B,
): Promise<CuRig<S, B>> {
  const pty = await startPtyPair();
  const device = new SerialPortTransport({ path: pty.devicePath, baudRate: 19200, reconnectMs: 25 });
  await device.open();
  const sims = attach(device);
  const bank = makeBank(new SerialPortTransport({ path: pty.kioskPath, baudRate: 19200, reconnectMs: 25 }));
  const events: string[] = [];
  const errors: DeviceError[] = [];
  bank.on('door', (c, o) => events.push(`door ${c} ${o ? 'open' : 'closed'}`));
  bank.on('item', (c, p) => events.push(`item ${c} ${p ? 'in' : 'out'}`));
  bank.on('board', (a, on) => events.push(`board ${a} ${on ? 'online' : 'offline'}`));
  bank.on('disconnect', () => events.push('disconnect'));
  bank.on('reconnect', () => events.push('reconnect'));
  bank.on('error', (e) => errors.push(e as DeviceError));
  return {
    pty, device, sims, bank, events, errors,
    async dispose() {
      await bank.close();
      for (const s of sims) s.detach();
      await device.close();
      await pty.dispose();
    },
  };
}

/** The contract's hooks over the rig's sims; `items` adds putItem/takeItem (boards with item sensors). */
export function cuHarness<S extends Cu16BoardSim>(
  rig: CuRig<S, CuLockBank>,
  perBoard: number,
  items?: { put(sim: S, lock: number): void; take(sim: S, lock: number): void },
): LockHarness {
  const at = (ch: number): { sim: S; lock: number } => ({ sim: rig.sims[Math.floor((ch - 1) / perBoard)], lock: ((ch - 1) % perBoard) + 1 });
  return {
    bank: rig.bank,
    openDoor: (ch) => at(ch).sim.openDoor(at(ch).lock),
    closeDoor: (ch) => at(ch).sim.closeDoor(at(ch).lock),
    pulses: (ch) => at(ch).sim.pulses.filter((p) => p.lock === at(ch).lock).length,
    jam: (ch) => {
      at(ch).sim.fault = 'never-confirm';
    },
    ...(items
      ? {
          putItem: (ch: number) => items.put(at(ch).sim, at(ch).lock),
          takeItem: (ch: number) => items.take(at(ch).sim, at(ch).lock),
          itemSensors: rig.bank.channels,
        }
      : {}),
    dispose: () => rig.dispose(),
  };
}

/** The contract against real boards when `port` is set: `boards` like "0,1", `unlock` a channel the test may pulse. */
export function realBoardsContract(
  model: string,
  port: string | undefined,
  boards: string | undefined,
  unlock: string | undefined,
  make: (transport: SerialPortTransport, boards: number[]) => CuLockBank,
): void {
  if (!port) return;
  const addresses = (boards ?? '0').split(',').map((s) => Number(s.trim()));
  lockBankContract(
    `${model} boards ${addresses.join(',')} on ${port}`,
    async () => ({ bank: make(new SerialPortTransport({ path: port, baudRate: 19200 }), addresses), dispose: async () => undefined }),
    { hardware: true, ...(unlock ? { unlockChannel: Number(unlock) } : {}) },
  );
}

export async function waitFor(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
