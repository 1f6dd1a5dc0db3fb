/**
 * Faults of an R30x module on a real serial line: R30xPad on the serialport
 * package over a socat pty, the R30x wire simulator on the other end, made
 * to answer error codes, send noise and half packets, go quiet, and lose
 * the line mid-command (socat killed) and get it back (socat restarted).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { R30xPad, type R30xPadOptions } from '../../drivers/fingerprint/r30x.js';
import { encodeAck } from '../../drivers/fingerprint/r30x-codec.js';
import { R30xSim, type R30xSimOptions } from '../../drivers/fingerprint/r30x-sim.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { deviceError, fakeTemplate, nextEvent } from './contracts/fingerprint.js';

interface Rig {
  pty: PtyPair;
  sim: R30xSim;
  pad: R30xPad;
  errors: Error[];
  events: string[];
}

const rigs: Rig[] = [];

async function rig(padOpts: R30xPadOptions = {}, simOpts: R30xSimOptions = {}): Promise<Rig> {
  const pty = await startPtyPair();
  const sim = new R30xSim(new SerialPortTransport({ path: pty.devicePath, baudRate: 57600, reconnectMs: 25 }), simOpts);
  await sim.open();
  const pad = new R30xPad(new SerialPortTransport({ path: pty.kioskPath, baudRate: 57600, reconnectMs: 25 }), {
    pollMs: 20,
    commandTimeoutMs: 1500,
    reconnectMs: 100,
    ...padOpts,
  });
  const errors: Error[] = [];
  const events: string[] = [];
  pad.on('error', (e) => errors.push(e));
  pad.on('disconnect', () => events.push('disconnect'));
  pad.on('reconnect', () => events.push('reconnect'));
  const r = { pty, sim, pad, errors, events };
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.pad.close();
    await r.sim.close();
    await r.pty.dispose();
  }
});

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('R30x faults over a socat pty', () => {
  it('turns the module’s error codes into typed errors in words', async () => {
    const r = await rig({ password: 0x1234 }, { password: 0x4321 });
    const refused = await deviceError(r.pad.open());
    expect(refused.code).toBe('device-error');
    expect(refused.message).toContain('fingerprint pad: wrong password (0x13) on VfyPwd');

    const ok = await rig({}, {});
    await ok.pad.open();
    ok.sim.placeFinger(fakeTemplate(1));
    ok.sim.failNext('Img2Tz', 0x07);
    const err = await deviceError(ok.pad.verify(fakeTemplate(1)));
    expect(err.code).toBe('device-error');
    expect(err.message).toContain('too few points (0x07) on Img2Tz');
    ok.sim.failNext('DownChar', 0x0e);
    expect((await deviceError(ok.pad.verify(fakeTemplate(1)))).message).toContain('receive fail (0x0E) on DownChar');
    // And the pad is still fine after each refusal.
    expect(await ok.pad.verify(fakeTemplate(1))).toEqual({ match: true, score: 200 });
  });

  it('gets through noise, stray and damaged packets between replies (resync)', async () => {
    const r = await rig();
    await r.pad.open();
    r.sim.placeFinger(fakeTemplate(2));
    // Noise while idle, a reply nobody asked for, and a damaged packet: all dropped.
    await r.sim.sendRaw(Buffer.from([0x55, 0xef, 0x00, 0x01, 0xef]));
    await r.sim.sendRaw(encodeAck(0xffffffff, 0x00));
    const damaged = encodeAck(0xffffffff, 0x00);
    damaged[damaged.length - 1] ^= 0x40;
    await r.sim.sendRaw(damaged);
    await delay(50);
    // Noise glued to the front of a reply, and a reply with a bad checksum (repeated).
    r.sim.garbleNext(Buffer.from('line noise'));
    r.sim.corruptNext(1, 1);
    expect(await r.pad.verify(fakeTemplate(2))).toEqual({ match: true, score: 200 });
    expect(await r.pad.capture()).toEqual(fakeTemplate(2));
    const words = r.errors.map((e) => e.message).join('\n');
    expect(words).toContain('that were not a packet');
    expect(r.events).toEqual([]);
  });

  it('gives up a half reply after the command timeout, then works again', async () => {
    const r = await rig({ commandTimeoutMs: 400 });
    await r.pad.open();
    r.sim.placeFinger(fakeTemplate(3));
    r.sim.cutNext();
    const err = await deviceError(r.pad.capture());
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('no answer to GenImg within 400 ms');
    expect(await r.pad.capture()).toEqual(fakeTemplate(3));
  });

  it('rejects `timeout` when no finger comes', async () => {
    const r = await rig();
    await r.pad.open();
    const t0 = Date.now();
    const err = await deviceError(r.pad.verify(fakeTemplate(1), 300));
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('fingerprint pad: no finger on the pad within 300 ms');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    // It kept looking until the deadline: more than one GenImg (how many depends on how busy the machine is).
    expect(r.sim.commands.filter((c) => c.instruction === 'GenImg').length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a command in flight `disconnected` when the line goes (socat killed), and recovers when it is back', async () => {
    const r = await rig({ password: 77, commandTimeoutMs: 5000 }, { password: 77 });
    await r.pad.open();
    r.sim.mute(); // the next command hangs on the wire
    const gone = nextEvent(r.pad, 'disconnect', 3000);
    const t0 = Date.now();
    const pending = deviceError(r.pad.capture(10_000));
    await delay(100);
    await r.pty.stop();
    const err = await pending;
    expect(err.code).toBe('disconnected');
    expect(Date.now() - t0).toBeLessThan(3000); // well before the 5 s command timeout
    const [reason] = await gone;
    expect(reason).toMatch(/was lost/);
    expect((await deviceError(r.pad.verify(fakeTemplate(1)))).code).toBe('disconnected');

    r.sim.mute(false);
    const back = nextEvent(r.pad, 'reconnect', 5000);
    await r.pty.restart();
    await back;
    // The module lost power with the line and wanted its password again: the pad gave it.
    expect(r.sim.commands.slice(-2).map((c) => c.instruction)).toEqual(['VfyPwd', 'ReadSysPara']);
    r.sim.placeFinger(fakeTemplate(4));
    expect(await r.pad.verify(fakeTemplate(4))).toEqual({ match: true, score: 200 });
    expect(r.events).toEqual(['disconnect', 'reconnect']);
  });

  it('comes back after a long outage', async () => {
    const r = await rig();
    await r.pad.open();
    const gone = nextEvent(r.pad, 'disconnect', 3000);
    await r.pty.stop();
    await gone;
    await delay(400); // the port is retried and missing several times
    const back = nextEvent(r.pad, 'reconnect', 5000);
    await r.pty.restart();
    await back;
    r.sim.placeFinger(fakeTemplate(5));
    expect(await r.pad.capture()).toEqual(fakeTemplate(5));
  });

  it('counts a module that stopped answering as gone, and back when it answers', async () => {
    const r = await rig({ commandTimeoutMs: 200, silentLimit: 2, reconnectMs: 50 });
    await r.pad.open();
    r.sim.mute();
    expect((await deviceError(r.pad.capture())).code).toBe('timeout');
    const gone = nextEvent(r.pad, 'disconnect', 2000);
    expect((await deviceError(r.pad.capture())).code).toBe('disconnected');
    expect((await gone)[0]).toContain('stopped answering');
    const back = nextEvent(r.pad, 'reconnect', 3000);
    r.sim.mute(false);
    await back;
    r.sim.placeFinger(fakeTemplate(6));
    expect(await r.pad.capture()).toEqual(fakeTemplate(6));
  });
});
