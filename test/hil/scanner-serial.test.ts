/**
 * The serial scanner over a real pty pair: SerialPortTransport + SerialScanner
 * on the kiosk end, ScannerWireSim on the device end. With
 * KIOSK_TEST_SERIAL=/dev/ttyACM0 and KIOSK_TEST_SERIAL_KIND=scanner the
 * contract also runs against a real scanner (a person scans what is asked).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceError } from '../../src/core/errors.js';
import type { ScanRead } from '../../drivers/scanner/contract.js';
import { SerialScanner } from '../../drivers/scanner/serial.js';
import { ScannerWireSim, type LineEnding } from '../../drivers/scanner/serial-sim.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { scannerContract } from './contracts/scanner.js';

interface Rig {
  pty: PtyPair;
  device: SerialPortTransport;
  scanner: SerialScanner;
  sim: ScannerWireSim;
  dispose(): Promise<void>;
}

async function rig(ending: LineEnding = 'CR'): Promise<Rig> {
  const pty = await startPtyPair();
  const device = new SerialPortTransport({ path: pty.devicePath, baudRate: 115200, reconnectMs: 25 });
  await device.open();
  const scanner = new SerialScanner(new SerialPortTransport({ path: pty.kioskPath, baudRate: 115200, reconnectMs: 25 }));
  return {
    pty, device, scanner, sim: new ScannerWireSim(device, ending),
    async dispose() {
      await scanner.close();
      await device.close();
      await pty.dispose();
    },
  };
}

for (const ending of ['CR', 'CRLF'] as const) {
  scannerContract(`serial scanner sending ${ending} over a socat pty`, async () => {
    const r = await rig(ending);
    return { scanner: r.scanner, scan: (text, aim) => r.sim.scan(text, aim ? { aim } : {}), supportsAim: true, dispose: () => r.dispose() };
  });
}

const realPort = process.env.KIOSK_TEST_SERIAL;
if (realPort && process.env.KIOSK_TEST_SERIAL_KIND === 'scanner') {
  scannerContract(
    `serial scanner on ${realPort}`,
    async () => ({
      scanner: new SerialScanner(new SerialPortTransport({ path: realPort, baudRate: Number(process.env.KIOSK_TEST_SERIAL_BAUD ?? 9600) })),
      scan: (text, aim) => console.log(`scan a symbol holding ${JSON.stringify(text)}${aim ? ` (${aim})` : ''} now`),
      supportsAim: process.env.KIOSK_TEST_SCANNER_AIM === '1',
      dispose: async () => undefined,
    }),
    { readTimeoutMs: 30_000 },
  );
}

async function waitFor(what: string, cond: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('serial scanner over a socat pty', () => {
  let r: Rig | null = null;
  afterEach(async () => {
    await r?.dispose();
    r = null;
  });

  it('junk lines are dropped with an error; the next symbol is read', async () => {
    r = await rig();
    const reads: ScanRead[] = [];
    const errors: DeviceError[] = [];
    r.scanner.on('read', (x) => reads.push(x));
    r.scanner.on('error', (e) => errors.push(e as DeviceError));
    await r.scanner.open();
    await r.sim.sendRaw(Buffer.from([0x00, 0x01, 0x02, 0x0d, 0xfe, 0xff, 0x0a]));
    await r.sim.scan('PKS1.after-junk', { aim: ']Q1' });
    await waitFor('a read', () => reads.length >= 1);
    expect(reads).toEqual([{ text: 'PKS1.after-junk', symbology: ']Q1' }]);
    expect(errors.map((e) => e.code)).toEqual(['protocol', 'protocol']);
  });

  it('unplug: disconnect; replug: reconnect and reads flow again', async () => {
    r = await rig();
    const reads: ScanRead[] = [];
    const events: string[] = [];
    r.scanner.on('read', (x) => reads.push(x));
    r.scanner.on('disconnect', () => events.push('disconnect'));
    r.scanner.on('reconnect', () => events.push('reconnect'));
    await r.scanner.open();
    await r.pty.stop();
    await waitFor('disconnect', () => events.includes('disconnect'));
    const deviceBack = new Promise<void>((res) => r!.device.once('open', () => res()));
    await r.pty.restart();
    await deviceBack;
    await waitFor('reconnect', () => events.includes('reconnect'));
    await r.sim.scan('back', { aim: ']C0' });
    await waitFor('a read', () => reads.length >= 1);
    expect(reads).toEqual([{ text: 'back', symbology: ']C0' }]);
  });
});
