/**
 * CU16 lock boards over a real pty pair: the real SerialPortTransport and the
 * Cu16LockBank driver on the kiosk end, simulated boards on the device end.
 * With KIOSK_TEST_SERIAL=/dev/ttyUSB0 (and KIOSK_TEST_SERIAL_KIND=cu16, the
 * default) the contract also runs against real boards; see docs/drivers/serial.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../drivers/errors.js';
import { Cu16LockBank, type Cu16Options } from '../../drivers/locks/cu16.js';
import { encodeReply } from '../../drivers/locks/cu16-codec.js';
import { attachCu16Sims, type Cu16BoardSim } from '../../drivers/locks/cu16-sim.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { lockBankContract, type LockHarness } from './contracts/locks.js';

interface PtyRig {
  pty: PtyPair;
  device: SerialPortTransport;
  sims: Cu16BoardSim[];
  bank: Cu16LockBank;
  events: string[];
  errors: DeviceError[];
  dispose(): Promise<void>;
}

async function ptyRig(boards: number[] = [0], options: Partial<Cu16Options> = {}): Promise<PtyRig> {
  const pty = await startPtyPair();
  const device = new SerialPortTransport({ path: pty.devicePath, baudRate: 19200, reconnectMs: 25 });
  await device.open();
  const sims = attachCu16Sims(device, boards, { replyDelayMs: 5, relockMs: 300 });
  const kiosk = new SerialPortTransport({ path: pty.kioskPath, baudRate: 19200, reconnectMs: 25 });
  const bank = new Cu16LockBank(kiosk, { boards, unlockConfirmMs: 400, ...options });
  const events: string[] = [];
  const errors: DeviceError[] = [];
  bank.on('door', (c, o) => events.push(`door ${c} ${o ? 'open' : 'closed'}`));
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

function harness(rig: PtyRig): LockHarness {
  const at = (ch: number): { sim: Cu16BoardSim; lock: number } => ({ sim: rig.sims[Math.floor((ch - 1) / 16)], lock: ((ch - 1) % 16) + 1 });
  return {
    bank: rig.bank,
    openDoor: (ch) => at(ch).sim.openDoor(at(ch).lock),
    closeDoor: (ch) => at(ch).sim.closeDoor(at(ch).lock),
    pulses: (ch) => at(ch).sim.pulses.filter((p) => p.lock === at(ch).lock).length,
    jam: (ch) => {
      at(ch).sim.fault = 'never-confirm';
    },
    dispose: () => rig.dispose(),
  };
}

async function waitFor(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

lockBankContract('CU16 board sim over a socat pty', async () => harness(await ptyRig([0])));
lockBankContract('two CU16 board sims sharing one pty', async () => harness(await ptyRig([3, 1])));

const realPort = process.env.KIOSK_TEST_SERIAL;
if (realPort && (process.env.KIOSK_TEST_SERIAL_KIND ?? 'cu16') === 'cu16') {
  const boards = (process.env.KIOSK_TEST_CU16_BOARDS ?? '0').split(',').map((s) => Number(s.trim()));
  const unlock = process.env.KIOSK_TEST_CU16_UNLOCK;
  lockBankContract(
    `CU16 boards ${boards.join(',')} on ${realPort}`,
    async () => ({
      bank: new Cu16LockBank(new SerialPortTransport({ path: realPort, baudRate: 19200 }), { boards }),
      dispose: async () => undefined,
    }),
    { hardware: true, ...(unlock ? { unlockChannel: Number(unlock) } : {}) },
  );
}

describe('CU16 over a socat pty', () => {
  let rig: PtyRig | null = null;
  afterEach(async () => {
    await rig?.dispose();
    rig = null;
  });

  it('several boards on one bus: each channel reaches its own board and lock', async () => {
    rig = await ptyRig([0, 1, 2]);
    await rig.bank.open();
    await rig.bank.unlock(1);
    await rig.bank.unlock(17 + 4);
    await rig.bank.unlock(48);
    expect(rig.sims.map((s) => s.pulses.map((p) => p.lock))).toEqual([[1], [5], [16]]);
    rig.sims[2].openDoor(16);
    await waitFor('door 48 open', () => rig!.events.includes('door 48 open'));
    expect(rig.events).toEqual(['door 48 open']);
  });

  it('garbage and half frames on the line: errors reported, unlocks and door events still work', async () => {
    rig = await ptyRig([0]);
    await rig.bank.open();
    const sim = rig.sims[0];
    await sim.inject(Buffer.from([0xff, 0x00, 0x02, 0x99, 0x13]));
    await sim.inject(encodeReply(0, 1, 0xffff, 0).subarray(0, 4)); // half a reply, never finished
    await rig.bank.unlock(2);
    sim.openDoor(2);
    await waitFor('door 2 open', () => rig!.events.includes('door 2 open'));
    sim.fault = 'garbage';
    sim.closeDoor(2);
    await waitFor('door 2 closed', () => rig!.events.includes('door 2 closed'));
    expect(rig.errors.some((e) => e.code === 'protocol')).toBe(true);
    expect(rig.events.filter((e) => e.startsWith('door'))).toEqual(['door 2 open', 'door 2 closed']);
  });

  it('bad checksums: the board is reported offline once, state is unknown, and it recovers', async () => {
    rig = await ptyRig([0], { commandTimeoutMs: 100 });
    await rig.bank.open();
    const sim = rig.sims[0];
    sim.fault = 'bad-checksum';
    sim.openDoor(7); // must not be believed from a bad frame
    await waitFor('board offline', () => rig!.events.includes('board 0 offline'));
    await new Promise((r) => setTimeout(r, 200));
    expect(rig.events).toEqual(['board 0 offline']);
    expect(rig.errors.some((e) => e.code === 'checksum')).toBe(true);
    expect((await rig.bank.states())[6]).toEqual({ channel: 7, locked: null, doorOpen: null });
    sim.fault = 'none';
    await waitFor('door 7 open', () => rig!.events.includes('door 7 open'));
    expect(rig.events).toEqual(['board 0 offline', 'board 0 online', 'door 7 open']);
  });

  it('unplug mid-command: the pending unlock rejects disconnected, disconnect is emitted; replug: reconnect, works again', async () => {
    rig = await ptyRig([0], { unlockConfirmMs: 5000 });
    await rig.bank.open();
    const sim = rig.sims[0];
    sim.fault = 'never-confirm';
    const pending = rig.bank.unlock(5).catch((e: unknown) => e);
    await waitFor('the pulse', () => sim.pulses.length === 1);
    await rig.pty.stop();
    const err = await pending;
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('disconnected');
    expect(rig.events).toContain('disconnect');
    await expect(rig.bank.state(5)).rejects.toMatchObject({ code: 'disconnected' });

    sim.fault = 'none';
    const deviceBack = new Promise<void>((r) => rig!.device.once('open', () => r()));
    await rig.pty.restart();
    await deviceBack;
    await waitFor('reconnect', () => rig!.events.includes('reconnect'));
    await rig.bank.unlock(5);
    expect(sim.pulses.map((p) => p.lock)).toEqual([5, 5]);
    expect(rig.events.filter((e) => e === 'disconnect' || e === 'reconnect')).toEqual(['disconnect', 'reconnect']);
  });

  it('a board that never confirms: unlock rejects unconfirmed and no door-open event is ever emitted', async () => {
    rig = await ptyRig([0]);
    await rig.bank.open();
    rig.sims[0].fault = 'never-confirm';
    const err = await rig.bank.unlock(3).catch((e: unknown) => e);
    expect((err as DeviceError).code).toBe('unconfirmed');
    expect((err as DeviceError).message).toContain('compartment channel 3: board 0 did not confirm the unlock within 0.4 s');
    await new Promise((r) => setTimeout(r, 200));
    expect(rig.events).toEqual([]);
    expect(rig.sims[0].pulses).toHaveLength(1);
  });

  it('a board that stops answering is reported once and comes back', async () => {
    rig = await ptyRig([0, 1], { commandTimeoutMs: 80 });
    await rig.bank.open();
    rig.sims[1].fault = 'silent';
    await waitFor('board 1 offline', () => rig!.events.includes('board 1 offline'));
    await new Promise((r) => setTimeout(r, 400));
    expect(rig.events).toEqual(['board 1 offline']);
    expect(rig.errors.filter((e) => e.code === 'timeout')).toHaveLength(1);
    await rig.bank.unlock(2); // board 0 keeps working meanwhile
    rig.sims[1].fault = 'none';
    await waitFor('board 1 online', () => rig!.events.includes('board 1 online'));
  });
});
