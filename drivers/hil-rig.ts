import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../src/core/clock.js';
import { R30xSim } from './fingerprint/r30x-sim.js';
import { KeypadWireSim } from './keypad/serial-sim.js';
import { attachCu12Sims, Cu12BoardSim } from './locks/cu12-sim.js';
import { attachCu16Sims, type Cu16BoardSim } from './locks/cu16-sim.js';
import { ScannerWireSim } from './scanner/serial-sim.js';
import { startPtyPair, type PtyPair } from './serial/pty.js';
import { SerialPortTransport } from './serial/serialport-transport.js';

/** The serial devices of a hardware-in-the-loop rig, by the name of their pty link in the rig's folder. */
export const HIL_PORTS = { keypad: 'keypad', scanner: 'scanner', locks: 'locks', fingerprint: 'fingerprint' } as const;

/**
 * Every serial device of a kiosk as a wire-level simulator on the far end of
 * a socat pty pair: the kiosk's real serialport drivers open `<dir>/<name>`
 * (the paths config/hil.json names) and talk to these as to real hardware.
 */
export interface HilRig {
  dir: string;
  keypad: KeypadWireSim;
  scanner: ScannerWireSim;
  /** The lock boards on the locks line: CU16s, or CU12s (with item sensors) when started with `locks: 'cu12'`. */
  boards: Cu16BoardSim[];
  finger: R30xSim;
  /** The kiosk end of each pty (what the config's `path` fields must be). */
  paths: Record<keyof typeof HIL_PORTS, string>;
  /** A compartment's lock channel → its board and lock, for door hooks. */
  lockAt(channel: number): { board: Cu16BoardSim; lock: number };
  /** Something is put into (true) or taken out of (false) a compartment, as its CU12 item sensor sees it. */
  item(channel: number, present: boolean): void;
  /** Pulls a device's cable (its pty goes away) and plugs it back in. */
  unplug(name: keyof typeof HIL_PORTS): Promise<void>;
  replug(name: keyof typeof HIL_PORTS): Promise<void>;
  stop(): Promise<void>;
}

/** `locks`: the boards on the locks line, Kerong CU16 (default) or CU12 (12 locks each, an item sensor in each compartment). */
export async function startHilRig(dir: string, opts: { boards?: number[]; clock?: Clock; locks?: 'cu16' | 'cu12' } = {}): Promise<HilRig> {
  mkdirSync(dir, { recursive: true });
  const clock = opts.clock ?? systemClock;
  const pairs: PtyPair[] = [];
  const byName = new Map<string, PtyPair>();
  const ends: SerialPortTransport[] = [];
  const pair = async (name: string, baudRate: number): Promise<{ pty: PtyPair; device: SerialPortTransport }> => {
    mkdirSync(join(dir, name), { recursive: true });
    const pty = await startPtyPair(join(dir, name));
    pairs.push(pty);
    byName.set(name, pty);
    const device = new SerialPortTransport({ path: pty.devicePath, baudRate, reconnectMs: 50 }, clock);
    await device.open();
    ends.push(device);
    return { pty, device };
  };
  try {
    const k = await pair(HIL_PORTS.keypad, 9600);
    const s = await pair(HIL_PORTS.scanner, 9600);
    const l = await pair(HIL_PORTS.locks, 19200);
    const f = await pair(HIL_PORTS.fingerprint, 57600);
    const boardIds = opts.boards ?? [0];
    const boards: Cu16BoardSim[] = opts.locks === 'cu12' ? attachCu12Sims(l.device, boardIds, { replyDelayMs: 5 }, clock) : attachCu16Sims(l.device, boardIds, { replyDelayMs: 5 }, clock);
    const perBoard = opts.locks === 'cu12' ? 12 : 16;
    const lockAt = (channel: number): { board: Cu16BoardSim; lock: number } => {
      const board = boards[Math.floor((channel - 1) / perBoard)];
      if (!board) throw new RangeError(`channel ${channel} is on no simulated board`);
      return { board, lock: ((channel - 1) % perBoard) + 1 };
    };
    const finger = new R30xSim(f.device, { clock });
    await finger.open();
    return {
      dir,
      keypad: new KeypadWireSim(k.device, 'byte'),
      scanner: new ScannerWireSim(s.device, 'CR'),
      boards,
      finger,
      paths: { keypad: k.pty.kioskPath, scanner: s.pty.kioskPath, locks: l.pty.kioskPath, fingerprint: f.pty.kioskPath },
      lockAt,
      item(channel, present) {
        const { board, lock } = lockAt(channel);
        if (!(board instanceof Cu12BoardSim)) throw new Error('item sensors need CU12 boards (startHilRig with locks: "cu12")');
        if (present) board.putItem(lock);
        else board.takeItem(lock);
      },
      async unplug(name) {
        await byName.get(name)?.stop();
      },
      async replug(name) {
        await byName.get(name)?.restart();
      },
      async stop() {
        for (const b of boards) b.detach();
        for (const e of ends) await e.close();
        for (const p of pairs) await p.dispose();
      },
    };
  } catch (e) {
    for (const e2 of ends) await e2.close().catch(() => undefined);
    for (const p of pairs) await p.dispose().catch(() => undefined);
    throw e;
  }
}
