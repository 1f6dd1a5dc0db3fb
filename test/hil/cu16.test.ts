/**
 * CU16 lock boards over a real pty pair: the real SerialPortTransport and the
 * Cu16LockBank driver on the kiosk end, simulated boards on the device end.
 * With KIOSK_TEST_SERIAL=/dev/ttyUSB0 (and KIOSK_TEST_SERIAL_KIND=cu16, the
 * default) the contract also runs against real boards; see docs/drivers/serial.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../src/core/errors.js';
import { Cu16LockBank, type Cu16Options } from '../../drivers/locks/cu16.js';
import { encodeReply } from '../../drivers/locks/cu16-codec.js';
import { attachCu16Sims, type Cu16BoardSim } from '../../drivers/locks/cu16-sim.js';
import { lockBankContract } from './contracts/locks.js';
import { cuHarness, cuPtyRig, realBoardsContract, waitFor, type CuRig } from './cu-rig.js';

type PtyRig = CuRig<Cu16BoardSim, Cu16LockBank>;

function ptyRig(boards: number[] = [0], options: Partial<Cu16Options> = {}, relockMs = 300): Promise<PtyRig> {
  return cuPtyRig(
    (device) => attachCu16Sims(device, boards, { replyDelayMs: 5, relockMs }),
    (kiosk) => new Cu16LockBank(kiosk, { boards, unlockConfirmMs: 400, ...options }),
  );
}

lockBankContract('CU16 board sim over a socat pty', async () => cuHarness(await ptyRig([0]), 16));
lockBankContract('two CU16 board sims sharing one pty', async () => cuHarness(await ptyRig([3, 1]), 16));

if ((process.env.KIOSK_TEST_SERIAL_KIND ?? 'cu16') === 'cu16') {
  realBoardsContract('CU16', process.env.KIOSK_TEST_SERIAL, process.env.KIOSK_TEST_CU16_BOARDS, process.env.KIOSK_TEST_CU16_UNLOCK, (t, boards) => new Cu16LockBank(t, { boards }));
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
    expect((await rig.bank.states())[6]).toEqual({ channel: 7, locked: null, doorOpen: null, itemPresent: null });
    sim.fault = 'none';
    await waitFor('door 7 open', () => rig!.events.includes('door 7 open'));
    expect(rig.events).toEqual(['board 0 offline', 'board 0 online', 'door 7 open']);
  });

  it('unplug mid-command: the pending unlock rejects disconnected, disconnect is emitted; replug: reconnect, works again', async () => {
    // A generous command timeout: the board's answer to the unlock may be cut off by the unplug,
    // and the loss of the line (not a missing reply) is what this test is about.
    // Locks stay released long enough for a loaded machine's polls to see the unlock after the replug.
    rig = await ptyRig([0], { unlockConfirmMs: 5000, commandTimeoutMs: 5000 }, 3000);
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
    // A frame sent while the pty was reopening may be lost, and the bus then waits out its command
    // timeout: a status read answered after the replug shows the line carries frames again before
    // the unlock's confirmation is timed.
    expect((await rig.bank.state(5)).locked).toBe(true);
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
    // The timeout is the healthy board's too: long enough for a loaded machine's pty, so only the silent board misses.
    rig = await ptyRig([0, 1], { commandTimeoutMs: 300 });
    await rig.bank.open();
    rig.sims[1].fault = 'silent';
    await waitFor('board 1 offline', () => rig!.events.includes('board 1 offline'), 5000);
    await new Promise((r) => setTimeout(r, 400));
    expect(rig.events).toEqual(['board 1 offline']);
    expect(rig.errors.filter((e) => e.code === 'timeout')).toHaveLength(1);
    await rig.bank.unlock(2); // board 0 keeps working meanwhile
    rig.sims[1].fault = 'none';
    await waitFor('board 1 online', () => rig!.events.includes('board 1 online'));
  });
});
