/**
 * The serial keypad over a real pty pair: SerialPortTransport + SerialKeypad
 * on the kiosk end, KeypadWireSim on the device end. With
 * KIOSK_TEST_SERIAL=/dev/ttyUSB0 and KIOSK_TEST_SERIAL_KIND=keypad the
 * contract also runs against a real keypad (a person presses the keys asked).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceError } from '../../src/core/errors.js';
import type { Key } from '../../drivers/keypad/contract.js';
import { SerialKeypad, type SerialKeypadOptions } from '../../drivers/keypad/serial.js';
import { KeypadWireSim, type KeypadWireMode } from '../../drivers/keypad/serial-sim.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { keypadContract } from './contracts/keypad.js';

interface Rig {
  pty: PtyPair;
  device: SerialPortTransport;
  keypad: SerialKeypad;
  sim: KeypadWireSim;
  dispose(): Promise<void>;
}

async function rig(wire: KeypadWireMode, options: SerialKeypadOptions = {}): Promise<Rig> {
  const pty = await startPtyPair();
  const device = new SerialPortTransport({ path: pty.devicePath, baudRate: 9600, reconnectMs: 25 });
  await device.open();
  const keypad = new SerialKeypad(new SerialPortTransport({ path: pty.kioskPath, baudRate: 9600, reconnectMs: 25 }), options);
  return {
    pty, device, keypad, sim: new KeypadWireSim(device, wire),
    async dispose() {
      await keypad.close();
      await device.close();
      await pty.dispose();
    },
  };
}

for (const wire of ['byte', 'line-per-key', 'line-entry'] as const) {
  keypadContract(`serial keypad sending ${wire} over a socat pty (auto mode)`, async () => {
    const r = await rig(wire);
    return { keypad: r.keypad, press: (keys) => r.sim.press(keys), dispose: () => r.dispose() };
  });
}

const realPort = process.env.KIOSK_TEST_SERIAL;
if (realPort && process.env.KIOSK_TEST_SERIAL_KIND === 'keypad') {
  keypadContract(
    `serial keypad on ${realPort}`,
    async () => ({
      keypad: new SerialKeypad(new SerialPortTransport({ path: realPort, baudRate: Number(process.env.KIOSK_TEST_SERIAL_BAUD ?? 9600) })),
      press: (keys) => console.log(`press ${keys} on the keypad now`),
      dispose: async () => undefined,
    }),
    { keyTimeoutMs: 20_000 },
  );
}

async function waitFor(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('serial keypad over a socat pty', () => {
  let r: Rig | null = null;
  afterEach(async () => {
    await r?.dispose();
    r = null;
  });

  it('drops junk with an error and keeps the keys around it', async () => {
    r = await rig('byte', { mode: 'byte' });
    const keys: Key[] = [];
    const errors: DeviceError[] = [];
    r.keypad.on('key', (k) => keys.push(k));
    r.keypad.on('error', (e) => errors.push(e as DeviceError));
    await r.keypad.open();
    await r.sim.press('12');
    await r.sim.sendRaw(Buffer.from([0x1b, 0x5b, 0x41]));
    await r.sim.press('3#');
    await waitFor('4 keys', () => keys.length >= 4);
    expect(keys).toEqual(['1', '2', '3', '#']);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0].code).toBe('protocol');
  });

  it('unplug: disconnect; replug: reconnect and keys flow again', async () => {
    r = await rig('line-entry');
    const keys: Key[] = [];
    const events: string[] = [];
    r.keypad.on('key', (k) => keys.push(k));
    r.keypad.on('disconnect', () => events.push('disconnect'));
    r.keypad.on('reconnect', () => events.push('reconnect'));
    await r.keypad.open();
    await r.sim.press('11#');
    await waitFor('3 keys', () => keys.length >= 3);
    await r.pty.stop();
    await waitFor('disconnect', () => events.includes('disconnect'));
    const deviceBack = new Promise<void>((res) => r!.device.once('open', () => res()));
    await r.pty.restart();
    await deviceBack;
    await waitFor('reconnect', () => events.includes('reconnect'));
    await r.sim.press('22#');
    await waitFor('6 keys', () => keys.length >= 6);
    expect(keys.join('')).toBe('11#22#');
    expect(events).toEqual(['disconnect', 'reconnect']);
  });
});
