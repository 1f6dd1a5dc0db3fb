/**
 * Latency of the Kerong CU12 and CU48 and the Modbus RTU lock drivers, each
 * against its own wire simulator over a socat pty (SerialPortTransport on
 * both ends), with the drivers' default poll intervals and baud rates:
 *
 * - CU12 (19200 baud, the whole bus polled every 40 ms with one bus-wide
 *   status request) and CU48 (19200 baud, each board polled every 40 ms):
 *   the door is read from the lock's hook, so a door "opens" when the latch
 *   releases (that edge is the unlock's confirmation) and closes when the
 *   door is shut and the hook latches. Measured: unlock() call → resolved
 *   (confirmed by a status showing the hook released), door shut → `door`
 *   (closed) event, and for CU12 item put in / taken out → `item` event
 *   (its infrared item sensors).
 * - Modbus RTU, Waveshare relay board (9600 baud, discrete inputs read every
 *   50 ms after the previous read ends): door input change → `door` event,
 *   and unlock() call → resolved (flash-on write, coil read back on).
 *
 * A pty moves bytes at memory speed: the wire time of a real bus at these
 * baud rates is printed beside the figures, not included in them. Changes
 * are spaced at random so they land at every phase of the poll cycle.
 * Prints figures; never passes or fails.
 */
import type { LockBank, LockBankEvents } from '../drivers/locks/contract.js';
import { Cu12LockBank } from '../drivers/locks/cu12.js';
import { encodeBusStatus, encodeCu12Reply, encodeCu12Request } from '../drivers/locks/cu12-codec.js';
import { Cu12BoardSim } from '../drivers/locks/cu12-sim.js';
import { CU16_CMD } from '../drivers/locks/cu16-codec.js';
import { CU16_DEFAULTS } from '../drivers/locks/cu16-schema.js';
import { Cu48LockBank } from '../drivers/locks/cu48.js';
import { encodeCu48Reply, encodeCu48Status, encodeCu48Unlock, hooksToData } from '../drivers/locks/cu48-codec.js';
import { Cu48BoardSim } from '../drivers/locks/cu48-sim.js';
import { ModbusLockBank } from '../drivers/locks/modbus.js';
import { FN, WAVESHARE_FLASH_ON, encodeReply, encodeRequest } from '../drivers/modbus/codec.js';
import { ModbusRelaySim } from '../drivers/modbus/sim.js';
import { row, sleep, when, withPty } from './_latency.js';

const CYCLES = Number(process.env.BENCH_LOCK_CYCLES ?? 100);
const CU_POLL_MS = CU16_DEFAULTS.pollIntervalMs;
const CU_BAUD = CU16_DEFAULTS.baudRate;
const MODBUS_POLL_MS = 50; // resolveModbusLocksOptions' default
const MODBUS_BAUD = 9600; // drivers/modbus/schema.ts' default
const LOCK = 7;

/** Wire time of `bytes` bytes at 8N1 (10 bits a byte), in ms. */
const wireMs = (bytes: number, baud: number): number => (bytes * 10 * 1000) / baud;

interface CuSim {
  openDoor(lock: number): void;
  closeDoor(lock: number): void;
  detach(): void;
}

/** unlock → confirmed, then the door opened, shut after a random wait → `door` (closed). */
async function cuCycles(bank: LockBank, sim: CuSim, unlocks: number[], closes: number[]): Promise<void> {
  for (let i = 0; i < CYCLES; i++) {
    await sleep(Math.random() * CU_POLL_MS);
    const t0 = performance.now();
    await bank.unlock(LOCK);
    unlocks.push(performance.now() - t0);
    sim.openDoor(LOCK);
    await sleep(Math.random() * CU_POLL_MS);
    const seen = when<LockBankEvents, 'door'>(bank, 'door', (ch, open) => ch === LOCK && !open);
    const t1 = performance.now();
    sim.closeDoor(LOCK);
    closes.push((await seen) - t1);
  }
}

async function cu12(): Promise<void> {
  const poll = wireMs(encodeBusStatus().length + encodeCu12Reply(0, 1, 0, 0, true).length, CU_BAUD);
  const unlockWire = wireMs(encodeCu12Request(0, LOCK, CU16_CMD.unlock).length + encodeCu12Reply(0, LOCK, 0, 0).length, CU_BAUD);
  console.log(`CU12: ${CYCLES} cycles, pollIntervalMs ${CU_POLL_MS} (bus-wide), ${CU_BAUD} baud, board reply delay 5 ms`);
  console.log(`  wire time at ${CU_BAUD} baud (not in the figures): poll round trip ${poll.toFixed(1)} ms, unlock round trip ${unlockWire.toFixed(1)} ms`);
  await withPty({ baudRate: CU_BAUD }, async (kiosk, device) => {
    const sim = new Cu12BoardSim(device, { address: 0 });
    const bank = new Cu12LockBank(kiosk, { boards: [0] });
    bank.on('error', () => undefined);
    await bank.open();
    const unlocks: number[] = [];
    const closes: number[] = [];
    const items: number[] = [];
    try {
      await cuCycles(bank, sim, unlocks, closes);
      for (let i = 0; i < CYCLES; i++) {
        await sleep(Math.random() * CU_POLL_MS);
        const present = i % 2 === 0;
        const seen = when<LockBankEvents, 'item'>(bank, 'item', (ch, p) => ch === LOCK && p === present);
        const t0 = performance.now();
        if (present) sim.putItem(LOCK);
        else sim.takeItem(LOCK);
        items.push((await seen) - t0);
      }
    } finally {
      await bank.close();
      sim.detach();
    }
    console.log(row('pty: unlock() → confirmed', unlocks));
    console.log(row('pty: door shut → door event', closes));
    console.log(row('pty: item in/out → item event', items));
  });
}

async function cu48(): Promise<void> {
  const poll = wireMs(encodeCu48Status(0).length + encodeCu48Reply(0, 1, hooksToData(0)).length, CU_BAUD);
  const unlockWire = wireMs(encodeCu48Unlock(0, LOCK).length + encodeCu48Reply(0, LOCK, Buffer.alloc(0)).length, CU_BAUD);
  console.log(`CU48: ${CYCLES} cycles, pollIntervalMs ${CU_POLL_MS} (per board), ${CU_BAUD} baud, board reply delay 5 ms`);
  console.log(`  wire time at ${CU_BAUD} baud (not in the figures): poll round trip ${poll.toFixed(1)} ms, unlock round trip ${unlockWire.toFixed(1)} ms`);
  await withPty({ baudRate: CU_BAUD }, async (kiosk, device) => {
    const sim = new Cu48BoardSim(device, { address: 0 });
    const bank = new Cu48LockBank(kiosk, { boards: [0] });
    bank.on('error', () => undefined);
    await bank.open();
    const unlocks: number[] = [];
    const closes: number[] = [];
    try {
      await cuCycles(bank, sim, unlocks, closes);
    } finally {
      await bank.close();
      sim.detach();
    }
    console.log(row('pty: unlock() → confirmed', unlocks));
    console.log(row('pty: door shut → door event', closes));
  });
}

async function modbus(): Promise<void> {
  const read = wireMs(encodeRequest({ unit: 1, fn: FN.readInputs, address: 0, value: 16 }).length + encodeReply({ unit: 1, fn: FN.readInputs, bits: Buffer.alloc(2) }).length, MODBUS_BAUD);
  const write = wireMs(2 * encodeRequest({ unit: 1, fn: FN.writeCoil, address: WAVESHARE_FLASH_ON | 6, value: 5 }).length, MODBUS_BAUD);
  const readCoil = wireMs(encodeRequest({ unit: 1, fn: FN.readCoils, address: 6, value: 1 }).length + encodeReply({ unit: 1, fn: FN.readCoils, bits: Buffer.alloc(1) }).length, MODBUS_BAUD);
  console.log(`Modbus RTU (Waveshare relay board): ${CYCLES} door changes and ${CYCLES / 2} unlocks, pollIntervalMs ${MODBUS_POLL_MS}, ${MODBUS_BAUD} baud, board reply delay 3 ms`);
  console.log(`  wire time at ${MODBUS_BAUD} baud 8N1 (not in the figures): door read round trip ${read.toFixed(1)} ms, unlock (write + read back) ${(write + readCoil).toFixed(1)} ms, plus 3.5-character gaps (4 ms) between frames`);
  await withPty({ baudRate: MODBUS_BAUD }, async (kiosk, device) => {
    const sim = new ModbusRelaySim(device, { unit: 1 });
    const bank = new ModbusLockBank(kiosk, { unitId: 1 });
    bank.on('error', () => undefined);
    await bank.open();
    const doors: number[] = [];
    const unlocks: number[] = [];
    try {
      for (let i = 0; i < CYCLES; i++) {
        await sleep(Math.random() * MODBUS_POLL_MS);
        const open = i % 2 === 0;
        const seen = when<LockBankEvents, 'door'>(bank, 'door', (ch, o) => ch === LOCK && o === open);
        const t0 = performance.now();
        if (open) sim.openDoor(LOCK - 1);
        else sim.closeDoor(LOCK - 1);
        doors.push((await seen) - t0);
      }
      for (let i = 0; i < CYCLES / 2; i++) {
        await sleep(Math.random() * MODBUS_POLL_MS);
        // A channel whose relay is off, so the read back shows this pulse and not the one before.
        let ch = (i % 16) + 1;
        for (let tries = 1; sim.coil(ch - 1); tries++) {
          ch = (ch % 16) + 1;
          if (tries % 16 === 0) await sleep(10);
        }
        const t0 = performance.now();
        await bank.unlock(ch);
        unlocks.push(performance.now() - t0);
      }
    } finally {
      await bank.close();
      sim.detach();
    }
    console.log(row('pty: door input change → door event', doors));
    console.log(row('pty: unlock() → confirmed', unlocks));
  });
}

export async function run(): Promise<void> {
  await cu12();
  await cu48();
  await modbus();
}
