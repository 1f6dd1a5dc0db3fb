/**
 * Modbus RTU relay boards over a real pty pair: SerialPortTransport and
 * ModbusLockBank on the kiosk end, ModbusRelaySim on the device end. With
 * KIOSK_TEST_MODBUS=/dev/ttyUSB0 the contract also runs against a real board
 * (KIOSK_TEST_MODBUS_UNIT, default 1; KIOSK_TEST_MODBUS_UNLOCK=<channel> to
 * pulse one); see docs/drivers/modbus.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../src/core/errors.js';
import { ModbusLockBank, type ModbusLocksOptions } from '../../drivers/locks/modbus.js';
import { COIL_ON, FN, WAVESHARE_FLASH_OFF, WAVESHARE_FLASH_ON, encodeRequest } from '../../drivers/modbus/codec.js';
import { ModbusRelaySim } from '../../drivers/modbus/sim.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { lockBankContract, type LockHarness } from './contracts/locks.js';
import { until as waitUntil } from '../support/until.js';

interface Rig {
  pty: PtyPair;
  device: SerialPortTransport;
  sim: ModbusRelaySim;
  bank: ModbusLockBank;
  dispose(): Promise<void>;
}

async function rig(options: Partial<ModbusLocksOptions> = {}): Promise<Rig> {
  const pty = await startPtyPair();
  const device = new SerialPortTransport({ path: pty.devicePath, baudRate: 9600, reconnectMs: 25 });
  await device.open();
  const sim = new ModbusRelaySim(device, { unit: 1 });
  const bank = new ModbusLockBank(new SerialPortTransport({ path: pty.kioskPath, baudRate: 9600, reconnectMs: 25 }), { unitId: 1, pulseMs: 300, unlockConfirmMs: 400, ...options });
  return {
    pty, device, sim, bank,
    async dispose() {
      await bank.close();
      sim.detach();
      await device.close();
      await pty.dispose();
    },
  };
}

function harness(r: Rig, coilOf: (ch: number) => number = (ch) => ch - 1, inputOf: (ch: number) => number = (ch) => ch - 1): LockHarness {
  return {
    bank: r.bank,
    openDoor: (ch) => r.sim.openDoor(inputOf(ch)),
    closeDoor: (ch) => r.sim.closeDoor(inputOf(ch)),
    pulses: (ch) => r.sim.pulses[coilOf(ch)],
    jam: () => {
      r.sim.fault = 'stuck';
    },
    dispose: () => r.dispose(),
  };
}

lockBankContract('Waveshare relay sim (board-timed flash) over a socat pty', async () => harness(await rig()));
lockBankContract('generic coils (driver-timed) over a socat pty', async () => harness(await rig({ board: 'generic' })));
lockBankContract('a map: channels 11 and 12 on coils 7 and 3, doors on inputs 0 and 1', async () =>
  harness(await rig({ map: { 11: { coil: 7, input: 0 }, 12: { coil: 3, input: 1 } } }), (ch) => (ch === 11 ? 7 : 3), (ch) => ch - 11),
);

// Fail-safe (magnetic) locks: a pulse is a flash-off release; a lock that does not release is a welded relay.
lockBankContract('fail-safe locks (Waveshare flash-off) over a socat pty', async () => {
  const r = await rig({ failSafe: true });
  return {
    ...harness(r),
    pulses: (ch) => r.sim.requests.filter((q) => q.fn === FN.writeCoil && q.address === (WAVESHARE_FLASH_OFF | (ch - 1))).length,
    jam: () => {
      r.sim.fault = 'welded';
    },
  };
});

/** Every byte the kiosk end wrote, as the device end of the pty received it. */
function wireLog(r: Rig): Buffer[] {
  const seen: Buffer[] = [];
  r.device.on('data', (chunk: Buffer) => seen.push(Buffer.from(chunk)));
  return seen;
}

const until = (what: string, ok: () => boolean, ms = 2000): Promise<void> => waitUntil(what, ok, ms, 5);

const real = process.env.KIOSK_TEST_MODBUS;
if (real) {
  const unlock = process.env.KIOSK_TEST_MODBUS_UNLOCK;
  lockBankContract(
    `Modbus board on ${real}`,
    async () => ({
      bank: new ModbusLockBank(new SerialPortTransport({ path: real, baudRate: Number(process.env.KIOSK_TEST_MODBUS_BAUD ?? 9600) }), { unitId: Number(process.env.KIOSK_TEST_MODBUS_UNIT ?? 1) }),
      dispose: async () => undefined,
    }),
    { hardware: true, ...(unlock ? { unlockChannel: Number(unlock) } : {}) },
  );
}

describe('Modbus relay board over a socat pty', () => {
  let r: Rig | null = null;
  afterEach(async () => {
    await r?.dispose();
    r = null;
  });

  it('a Waveshare pulse is one flash-on write (0x02xx, 100 ms steps) timed by the board, which turns the coil off itself', async () => {
    r = await rig({ pulseMs: 200 });
    await r.bank.open();
    await r.bank.unlock(5);
    const writes = r.sim.requests.filter((q) => q.fn === FN.writeCoil);
    expect(writes).toEqual([{ unit: 1, fn: FN.writeCoil, address: WAVESHARE_FLASH_ON | 4, value: 2 }]);
    expect(r.sim.coil(4)).toBe(true);
    await new Promise((res) => setTimeout(res, 300));
    expect(r.sim.coil(4)).toBe(false);
    expect(r.sim.requests.filter((q) => q.fn === FN.writeCoil)).toHaveLength(1);
  });

  it('a board that does not answer: open rejects not-found naming the unit', async () => {
    r = await rig({ replyTimeoutMs: 50 });
    r.sim.fault = 'silent';
    const err = await r.bank.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).message).toMatch(/no Modbus board answered at unit 1/);
  });

  it('bad CRCs are reported, never believed: a door seen through them is not reported', async () => {
    r = await rig({ replyTimeoutMs: 300 }); // bad CRCs fail at once; the timeout only has to let a loaded machine open
    await r.bank.open();
    const doors: string[] = [];
    const errors: DeviceError[] = [];
    r.bank.on('door', (c, o) => doors.push(`${c} ${o}`));
    r.bank.on('error', (e) => errors.push(e as DeviceError));
    r.sim.fault = 'bad-crc';
    r.sim.openDoor(2);
    await new Promise((res) => setTimeout(res, 300));
    expect(doors).toEqual([]);
    expect(errors.some((e) => e.code === 'checksum')).toBe(true);
    r.sim.fault = 'none';
    const until = Date.now() + 2000;
    while (!doors.includes('3 true') && Date.now() < until) await new Promise((res) => setTimeout(res, 5));
    expect(doors).toEqual(['3 true']);
  });

  it('a fail-safe channel (magnetic lock) is energised at open, released by a flash-off frame on the wire, and energised again after the pulse; a normal channel still flashes on', async () => {
    r = await rig({ pulseMs: 300, map: { 1: { coil: 0, input: 0, failSafe: true }, 2: { coil: 1, input: 1 } } });
    const wire = wireLog(r);
    await r.bank.open();
    expect(r.sim.coil(0)).toBe(true); // held locked from the start
    expect(r.sim.coil(1)).toBe(false);

    const before = Buffer.concat(wire).length;
    await r.bank.unlock(1);
    // 01 05 04 00 00 03 CRC: write single coil, flash-off relay 0, 3 × 100 ms
    const flashOff = encodeRequest({ unit: 1, fn: FN.writeCoil, address: WAVESHARE_FLASH_OFF | 0, value: 3 });
    expect(flashOff.subarray(0, 6).toString('hex')).toBe('010504000003');
    expect(Buffer.concat(wire).subarray(before).includes(flashOff)).toBe(true);
    expect(r.sim.coil(0)).toBe(false); // the magnet lets go
    expect((await r.bank.state(1)).locked).toBe(false);
    await until('the relay energised again', () => r!.sim.coil(0));
    // after the board's own restore, the kiosk energises it once more (a board that reset meanwhile would have left it open)
    const energise = encodeRequest({ unit: 1, fn: FN.writeCoil, address: 0, value: COIL_ON });
    await until('the energise write after the pulse', () => Buffer.concat(wire).subarray(before).includes(energise));
    expect(r.sim.coil(0)).toBe(true);

    const mark = r.sim.requests.length;
    await r.bank.unlock(2);
    const writes = r.sim.requests.slice(mark).filter((q) => q.fn === FN.writeCoil);
    expect(writes).toEqual([{ unit: 1, fn: FN.writeCoil, address: WAVESHARE_FLASH_ON | 1, value: 3 }]);
    expect(r.sim.coil(1)).toBe(true);
    expect(r.sim.coil(0)).toBe(true);
  });

  it('failSafe on the bank: every relay is energised at open, and after the cable comes back', async () => {
    r = await rig({ failSafe: true, channels: 4 });
    await r.bank.open();
    expect([0, 1, 2, 3].map((c) => r!.sim.coil(c))).toEqual([true, true, true, true]);
    // the board lost power with the cable: every relay dropped
    const events: string[] = [];
    r.bank.on('disconnect', () => events.push('disconnect'));
    r.bank.on('reconnect', () => events.push('reconnect'));
    r.bank.on('error', () => undefined);
    await r.pty.stop();
    await until('the line lost', () => events.includes('disconnect'));
    const fresh = new ModbusRelaySim(r.device, { unit: 1 });
    r.sim.detach();
    r.sim = fresh;
    await r.pty.restart();
    await until('every relay energised again', () => [0, 1, 2, 3].every((c) => fresh.coil(c)), 5000);
    expect(events).toEqual(['disconnect', 'reconnect']);
  });
});
