import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../src/core/errors.js';
import { startPtyPair, type PtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import type { ByteTransport } from '../../drivers/serial/transport.js';

function nextEvent(t: ByteTransport, event: 'open' | 'close', timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const on = (reason?: string): void => {
      clearTimeout(timer);
      resolve(reason);
    };
    if (event === 'open') t.once('open', on);
    else t.once('close', on);
  });
}

function collect(t: ByteTransport): { bytes: () => Buffer; waitFor: (n: number) => Promise<Buffer> } {
  const chunks: Buffer[] = [];
  const waiters: Array<() => void> = [];
  t.on('data', (c) => {
    chunks.push(Buffer.from(c));
    for (const w of waiters.splice(0)) w();
  });
  const bytes = (): Buffer => Buffer.concat(chunks);
  return {
    bytes,
    waitFor: (n) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${bytes().length} of ${n} bytes arrived`)), 3000);
        const check = (): void => {
          if (bytes().length >= n) {
            clearTimeout(timer);
            resolve(bytes());
          } else waiters.push(check);
        };
        check();
      }),
  };
}

describe('SerialPortTransport over a socat pty pair', () => {
  let pty: PtyPair | null = null;
  const transports: SerialPortTransport[] = [];
  afterEach(async () => {
    for (const t of transports.splice(0)) await t.close();
    await pty?.dispose();
    pty = null;
  });

  function make(path: string): SerialPortTransport {
    const t = new SerialPortTransport({ path, baudRate: 19200, reconnectMs: 50 });
    transports.push(t);
    return t;
  }

  it('carries bytes both ways, unchanged (raw: no echo, no CR/LF mangling)', async () => {
    pty = await startPtyPair();
    const kiosk = make(pty.kioskPath);
    const device = make(pty.devicePath);
    await kiosk.open();
    await device.open();
    expect(kiosk.isOpen).toBe(true);
    const atDevice = collect(device);
    const atKiosk = collect(kiosk);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await kiosk.write(all);
    expect((await atDevice.waitFor(256)).equals(all)).toBe(true);
    await device.write(Buffer.from('\r\n\x03\x11\x13'));
    expect((await atKiosk.waitFor(5)).toString('latin1')).toBe('\r\n\x03\x11\x13');
    expect(atKiosk.bytes().length).toBe(5); // nothing echoed back
  });

  it('carries a burst many times the 4 KiB read pool, in order and complete', async () => {
    pty = await startPtyPair();
    const kiosk = make(pty.kioskPath);
    const device = make(pty.devicePath);
    await kiosk.open();
    await device.open();
    const atKiosk = collect(kiosk);
    const burst = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
    await device.write(burst);
    expect((await atKiosk.waitFor(burst.length)).equals(burst)).toBe(true);
  });

  it('rejects not-found for a path that does not exist', async () => {
    const t = make('/nonexistent/kiosk-tty');
    const err = await t.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('not-found');
    expect(t.isOpen).toBe(false);
  });

  it('rejects writes with disconnected when not open', async () => {
    const t = make('/nonexistent/kiosk-tty');
    await expect(t.write(Buffer.from([1]))).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('emits close on unplug (pty stop), reopens on replug (restart), and carries bytes again', async () => {
    pty = await startPtyPair();
    const kiosk = make(pty.kioskPath);
    const device = make(pty.devicePath);
    await kiosk.open();
    await device.open();
    const kioskClosed = nextEvent(kiosk, 'close');
    const deviceClosed = nextEvent(device, 'close');
    await pty.stop();
    expect(await kioskClosed).toMatch(/was lost/);
    await deviceClosed;
    expect(kiosk.isOpen).toBe(false);
    await expect(kiosk.write(Buffer.from([1]))).rejects.toMatchObject({ code: 'disconnected' });

    const kioskOpen = nextEvent(kiosk, 'open');
    const deviceOpen = nextEvent(device, 'open');
    await pty.restart();
    await kioskOpen;
    await deviceOpen;
    const atDevice = collect(device);
    await kiosk.write(Buffer.from('back'));
    expect((await atDevice.waitFor(4)).toString()).toBe('back');
  });

  it('notices the loss of an idle line on both ends (no read or write in flight)', async () => {
    for (let i = 0; i < 3; i++) {
      pty = await startPtyPair();
      const device = make(pty.devicePath);
      const kiosk = make(pty.kioskPath);
      await device.open();
      await kiosk.open();
      const closed = Promise.all([nextEvent(kiosk, 'close', 2000), nextEvent(device, 'close', 2000)]);
      await pty.stop();
      const [kioskWhy] = await closed;
      expect(kioskWhy).toMatch(/was lost/);
      for (const t of transports.splice(0)) await t.close();
      await pty.dispose();
      pty = null;
    }
  });

  it('close() stops for good: no retry, no events afterwards', async () => {
    pty = await startPtyPair();
    const kiosk = make(pty.kioskPath);
    await kiosk.open();
    const events: string[] = [];
    kiosk.on('open', () => events.push('open'));
    kiosk.on('close', (r) => events.push(`close:${r}`));
    await kiosk.close();
    await kiosk.close();
    expect(events).toEqual(['close:closed by the application']);
    await pty.restart();
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toHaveLength(1);
    await expect(kiosk.open()).rejects.toMatchObject({ code: 'closed' });
  });

  it('keeps retrying while the path is gone and comes back after a long outage', async () => {
    pty = await startPtyPair();
    const kiosk = make(pty.kioskPath);
    await kiosk.open();
    const closed = nextEvent(kiosk, 'close');
    await pty.stop();
    await closed;
    await new Promise((r) => setTimeout(r, 300)); // several failed retries
    const opened = nextEvent(kiosk, 'open');
    await pty.restart();
    await opened;
    expect(kiosk.isOpen).toBe(true);
  });
});
