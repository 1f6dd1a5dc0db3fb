import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import type { ScanRead } from '../../../drivers/scanner/contract.js';
import { HidScanner } from '../../../drivers/scanner/hid.js';
import { nodeHidOpener, parseVidPid } from '../../../drivers/scanner/hid-node.js';
import { SimHidScanner } from '../../../drivers/scanner/hid-sim.js';
import { FakeClock } from '../../support/fake-clock.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

let scanners: HidScanner[] = [];
afterEach(async () => {
  for (const s of scanners) await s.close();
  scanners = [];
});

async function setup(reconnectMs = 500) {
  const clock = new FakeClock();
  const sim = new SimHidScanner();
  const scanner = new HidScanner(sim.opener, { clock, reconnectMs });
  scanners.push(scanner);
  const reads: ScanRead[] = [];
  const events: string[] = [];
  scanner.on('read', (r) => reads.push(r));
  scanner.on('disconnect', (why) => events.push(`disconnect: ${why}`));
  scanner.on('reconnect', () => events.push('reconnect'));
  scanner.on('error', (e) => events.push(`error: ${e.message}`));
  await scanner.open();
  return { clock, sim, scanner, reads, events };
}

describe('HidScanner', () => {
  it('emits one read per scan, long ones joined from several reports', async () => {
    const { sim, reads } = await setup();
    const slip = 'PKS1.' + 'x'.repeat(295);
    sim.scan('T-2026-11-1', ']C0');
    sim.scan(slip);
    expect(sim.sent.length).toBe(1 + 6);
    expect(reads).toEqual([{ text: 'T-2026-11-1', symbology: ']C0' }, { text: slip, symbology: ']Q1' }]);
  });

  it('ignores garbage reports without an error or a read', async () => {
    const { sim, reads, events } = await setup();
    sim.sendReport(Buffer.from([1, 0, 0, 4, 0, 0, 0, 0])); // a keyboard-style report
    sim.sendReport(Buffer.from([2, 200, 1, 2, 3]));
    sim.sendReport(new Uint8Array(0));
    sim.scan('after-garbage');
    expect(reads).toEqual([{ text: 'after-garbage', symbology: ']Q1' }]);
    expect(events).toEqual([]);
  });

  it('reports an unplug, keeps looking, and reconnects when the scanner is back', async () => {
    const { clock, sim, reads, events } = await setup();
    sim.unplug();
    expect(events).toEqual([expect.stringMatching(/^disconnect: HID sim: read failed/)]);
    clock.advance(500);
    await flush();
    clock.advance(500);
    await flush();
    expect(events.length).toBe(1);
    sim.plug();
    clock.advance(500);
    await flush();
    expect(events[1]).toBe('reconnect');
    sim.scan('back');
    expect(reads).toEqual([{ text: 'back', symbology: ']Q1' }]);
  });

  it('drops half a read when unplugged mid-read', async () => {
    const { clock, sim, reads } = await setup(100); // back sooner than a stale read is dropped
    const parts = sim.sent.length;
    sim.scan('y'.repeat(300)); // six reports, delivered whole; now send a half read by hand
    expect(sim.sent.length - parts).toBe(6);
    const first = sim.sent[sim.sent.length - 6];
    reads.length = 0;
    sim.sendReport(first);
    sim.unplug();
    sim.plug();
    clock.advance(100);
    await flush();
    sim.scan('z');
    expect(reads).toEqual([{ text: 'z', symbology: ']Q1' }]);
  });

  it('open rejects not-found while unplugged; close stops reconnecting and events', async () => {
    const clock = new FakeClock();
    const sim = new SimHidScanner();
    sim.unplug();
    const scanner = new HidScanner(sim.opener, { clock });
    await expect(scanner.open()).rejects.toMatchObject({ code: 'not-found' });
    sim.plug();
    await scanner.open();
    const events: string[] = [];
    scanner.on('disconnect', () => events.push('disconnect'));
    scanner.on('reconnect', () => events.push('reconnect'));
    sim.unplug();
    await scanner.close();
    sim.plug();
    clock.advance(5000);
    await flush();
    expect(events).toEqual(['disconnect']);
    expect(clock.pending()).toBe(0);
    expect(sim.isOpen).toBe(false);
  });
});

describe('node-hid opener', () => {
  it('parses vid:pid as lsusb prints it', () => {
    expect(parseVidPid('0c2e:0b8f')).toEqual({ vendorId: 0x0c2e, productId: 0x0b8f });
    expect(parseVidPid('0x05E0:0x1200')).toEqual({ vendorId: 0x05e0, productId: 0x1200 });
    expect(parseVidPid('scanner')).toBeNull();
  });

  it('says plainly when no such device is plugged in (or node-hid is missing)', async () => {
    const err = await nodeHidOpener({ vendorId: 0xfffe, productId: 0xfffd })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code === 'not-found' || (err as DeviceError).code === 'missing-module').toBe(true);
    expect((err as DeviceError).message).toMatch(/fffe:fffd is plugged in|npm install node-hid/);
  });
});
