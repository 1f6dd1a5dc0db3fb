/**
 * `doctor` and the config for the ID-003 validator, a Modbus relay board and
 * Kerong CU48/CU12 boards (the CU12's item sensors shown as occupancy):
 * the whole config the docs give is valid, and doctor opens each device (sims
 * on socat ptys) and says it answers — or says what is wrong.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { doctorCommand } from '../../src/cli/doctor.js';
import { validateConfig } from '../../src/config/index.js';
import { Id003ValidatorSim } from '../../drivers/cash/id003-sim.js';
import { ModbusRelaySim } from '../../drivers/modbus/sim.js';
import { attachCu12Sims } from '../../drivers/locks/cu12-sim.js';
import { attachCu48Sims } from '../../drivers/locks/cu48-sim.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { tempDir } from '../support/tmp.js';

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of stops.splice(0).reverse()) await s();
});

async function device(): Promise<{ pty: PtyPair; t: SerialPortTransport }> {
  const pty = await startPtyPair();
  const t = new SerialPortTransport({ path: pty.devicePath, baudRate: 9600 });
  await t.open();
  stops.push(() => pty.dispose(), () => t.close());
  return { pty, t };
}

async function doctor(devices: unknown, compartments: unknown[] = [{ id: 'A01', channel: 1, size: 'S' }]): Promise<{ code: number; out: string }> {
  const tmp = tempDir();
  stops.push(tmp.cleanup);
  const v = validateConfig({ kioskId: 'doc-1', dataDir: tmp.dir, devices, compartments }, tmp.dir);
  if (!v.ok) throw new Error(v.problems.join('\n'));
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const code = await doctorCommand(v.config);
  return { code, out };
}

describe('doctor with an ID-003 validator and a Modbus relay board', () => {
  it('the shortest Modbus config is whole; a map channel missing from it is named', () => {
    const ok = validateConfig({ kioskId: 'k', dataDir: 'd', devices: { locks: { driver: 'modbus', path: '/dev/ttyUSB0', baudRate: 9600, unitId: 1 } } }, '/b');
    expect(ok.ok && ok.config.devices.locks).toMatchObject({ driver: 'modbus', channels: 16, board: 'waveshare', pulseMs: 500 });
    const bad = validateConfig(
      { kioskId: 'k', dataDir: 'd', devices: { locks: { driver: 'modbus', path: '/dev/ttyUSB0', map: { 1: { coil: 0, input: 0 } } } }, compartments: [{ id: 'A01', channel: 2, size: 'S' }] },
      '/b',
    );
    expect(bad.ok ? [] : bad.problems.join('\n')).toMatch(/2 is not in devices\.locks\.map/);
  });

  it('says both answer when the sims are on the line', async () => {
    const cash = await device();
    const sim = new Id003ValidatorSim(cash.t);
    const locks = await device();
    const board = new ModbusRelaySim(locks.t, { unit: 3 });
    stops.push(() => sim.detach(), () => board.detach());
    const { out } = await doctor({
      cash: { driver: 'id003', path: cash.pty.kioskPath },
      locks: { driver: 'modbus', path: locks.pty.kioskPath, unitId: 3 },
    });
    expect(out).toMatch(/ok +cash acceptor +cash:id003 .*answers; inhibited/);
    expect(out).toMatch(/ok +locks +locks:modbus .*unit 3: 16 locks answered; doors open: none/);
  });

  it('says what is wrong when nothing answers', async () => {
    const cash = await device();
    const locks = await device();
    const { code, out } = await doctor({
      cash: { driver: 'id003', path: cash.pty.kioskPath, replyTimeoutMs: 50 },
      locks: { driver: 'modbus', path: locks.pty.kioskPath, replyTimeoutMs: 50 },
    });
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL {2}cash acceptor +.*no ID-003 validator answered/);
    expect(out).toMatch(/FAIL {2}locks +.*no Modbus board answered at unit 1/);
  });
});

describe('doctor with CU48 lock boards', () => {
  it('reads both boards: 96 locks answered', async () => {
    const locks = await device();
    const sims = attachCu48Sims(locks.t, [0, 1], { replyDelayMs: 3 });
    stops.push(() => sims.forEach((s) => s.detach()));
    const { out } = await doctor({ locks: { driver: 'cu48', path: locks.pty.kioskPath, boards: [0, 1], replyTimeoutMs: 300 } });
    expect(out).toMatch(/ok +locks +locks:cu48 .*: 96 locks answered; doors open: none/);
  });

  it('says what is wrong when no board answers', async () => {
    const locks = await device();
    const { code, out } = await doctor({ locks: { driver: 'cu48', path: locks.pty.kioskPath, boards: [4], replyTimeoutMs: 50 } });
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL {2}locks +.*no CU48 board answered at address 4/);
  });
});

describe('doctor with CU12 lock boards', () => {
  it('reads both boards and shows each compartment\'s occupancy from the item sensors', async () => {
    const locks = await device();
    const sims = attachCu12Sims(locks.t, [0, 1], { replyDelayMs: 3, firmware: { software: 0x12, hardware: 0x03 } });
    stops.push(() => sims.forEach((s) => s.detach()));
    sims[0].putItem(2);
    sims[1].putItem(1);
    const { out } = await doctor({ locks: { driver: 'cu12', path: locks.pty.kioskPath, boards: [0, 1], replyTimeoutMs: 300 } }, [
      { id: 'A01', channel: 1, size: 'S' },
      { id: 'A02', channel: 2, size: 'S' },
      { id: 'B01', channel: 13, size: 'M' },
      { id: 'B05', channel: 17, size: 'M' },
    ]);
    expect(out).toMatch(/ok +locks +locks:cu12 .*: 24 locks answered; doors open: none; occupied: 2, 13; empty: 1, 3-12, 14-24; compartments — item present: A02, B01; empty: A01, B05; board 0 software 0x12, hardware 0x03; board 1 software 0x12, hardware 0x03/);
  });

  it('an emptied compartment reads empty on the next run', async () => {
    const locks = await device();
    const [sim] = attachCu12Sims(locks.t, [0], { replyDelayMs: 3 });
    stops.push(() => sim.detach());
    const config = { locks: { driver: 'cu12', path: locks.pty.kioskPath, boards: [0], replyTimeoutMs: 300 } };
    const compartments = [{ id: 'A01', channel: 1, size: 'S' }, { id: 'A03', channel: 3, size: 'S' }];
    sim.putItem(3);
    expect((await doctor(config, compartments)).out).toMatch(/occupied: 3; empty: 1-2, 4-12; compartments — item present: A03; empty: A01; board 0 has no version query/);
    sim.takeItem(3);
    expect((await doctor(config, compartments)).out).toMatch(/occupied: none; empty: 1-12; compartments — empty: A01, A03/);
  });
});
