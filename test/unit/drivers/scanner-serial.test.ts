import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanRead } from '../../../drivers/scanner/contract.js';
import { SerialScanner, type SerialScannerOptions } from '../../../drivers/scanner/serial.js';
import { ScannerWireSim } from '../../../drivers/scanner/serial-sim.js';
import { createPipePair, type PipePair } from '../../../drivers/serial/pipe.js';
import type { DeviceError } from '../../../src/core/errors.js';
import { FakeClock } from '../../support/fake-clock.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Rig {
  pair: PipePair;
  scanner: SerialScanner;
  sim: ScannerWireSim;
  reads: ScanRead[];
  errors: DeviceError[];
  events: string[];
  clock: FakeClock;
}
const open: SerialScanner[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function rig(options: SerialScannerOptions = {}): Promise<Rig> {
  const clock = new FakeClock();
  const pair = createPipePair();
  await pair.device.open();
  const scanner = new SerialScanner(pair.kiosk, options, clock);
  open.push(scanner);
  const reads: ScanRead[] = [];
  const errors: DeviceError[] = [];
  const events: string[] = [];
  scanner.on('read', (r) => reads.push(r));
  scanner.on('error', (e) => errors.push(e as DeviceError));
  scanner.on('disconnect', (r) => events.push(`disconnect ${r}`));
  scanner.on('reconnect', () => events.push('reconnect'));
  await scanner.open();
  return { pair, scanner, sim: new ScannerWireSim(pair.device), reads, errors, events, clock };
}

describe('serial scanner', () => {
  it('reads lines with any ending, with and without AIM prefixes', async () => {
    const { sim, reads } = await rig();
    await sim.scan('PKS1.AAAA.BBBB');
    await sim.scan('PKS1.CCCC', { aim: ']Q1', ending: 'CRLF' });
    await sim.scan('0109501101530003', { aim: ']d2', ending: 'LF' });
    await sim.scan('ABC-123', { aim: ']C0' });
    await sim.scan('4006381333931', { aim: ']E0' });
    await flush();
    expect(reads).toEqual([
      { text: 'PKS1.AAAA.BBBB', symbology: null },
      { text: 'PKS1.CCCC', symbology: ']Q1' },
      { text: '0109501101530003', symbology: ']d2' },
      { text: 'ABC-123', symbology: ']C0' },
      { text: '4006381333931', symbology: ']E0' },
    ]);
  });

  it('keeps UTF-8 text and GS1 separators (GS) intact', async () => {
    const { sim, reads } = await rig();
    await sim.scan('Grüße ✓');
    await sim.scan('0109501101530003\x1d10ABC', { aim: ']d2' });
    await flush();
    expect(reads).toEqual([
      { text: 'Grüße ✓', symbology: null },
      { text: '0109501101530003\x1d10ABC', symbology: ']d2' },
    ]);
  });

  it('reassembles a line split across many chunks', async () => {
    const { pair, reads } = await rig();
    for (const b of Buffer.from(']Q1split-line\r')) pair.kiosk.deliver(Buffer.from([b]));
    expect(reads).toEqual([{ text: 'split-line', symbology: ']Q1' }]);
  });

  it('drops junk lines with an error that does not carry the line, then reads the next line', async () => {
    const { sim, reads, errors } = await rig();
    await sim.sendRaw(Buffer.from([0x01, 0x41, 0x07, 0x0d]));
    await sim.sendRaw(Buffer.from([0xc3, 0x28, 0x0d])); // bad UTF-8
    await sim.scan('SECRET-LOOKING-DATA\x01'); // a control byte inside: dropped
    await sim.scan('next');
    await flush();
    expect(reads).toEqual([{ text: 'next', symbology: null }]);
    expect(errors.map((e) => e.code)).toEqual(['protocol', 'protocol', 'protocol']);
    expect(errors.map((e) => e.message).join('\n')).not.toContain('SECRET');
  });

  it('never crashes on junk without an error listener', async () => {
    const { scanner, sim, reads } = await rig();
    scanner.removeAllListeners();
    scanner.on('read', (r) => reads.push(r));
    await sim.sendRaw(Buffer.from([0x00, 0xff, 0x0d]));
    await sim.scan('ok');
    await flush();
    expect(reads).toEqual([{ text: 'ok', symbology: null }]);
  });

  it('drops an overlong line and resyncs at its ending', async () => {
    const { sim, reads, errors } = await rig({ maxLineLength: 8 });
    await sim.scan('0123456789');
    await sim.scan('short');
    await flush();
    expect(reads).toEqual([{ text: 'short', symbology: null }]);
    expect(errors[0].message).toMatch(/longer than the 8-byte limit/);
  });

  it('aim: never keeps the prefix as text', async () => {
    const { sim, reads } = await rig({ aim: 'never' });
    await sim.scan('data', { aim: ']Q1' });
    await flush();
    expect(reads).toEqual([{ text: ']Q1data', symbology: null }]);
  });

  it('lineIdleMs ends a symbol from a scanner that sends no suffix', async () => {
    const { sim, reads, clock } = await rig({ lineIdleMs: 30 });
    await sim.scan('no-suffix', { ending: 'none' });
    await flush();
    clock.advance(29);
    expect(reads).toEqual([]);
    clock.advance(1);
    expect(reads).toEqual([{ text: 'no-suffix', symbology: null }]);
  });

  it('emits disconnect and reconnect with the transport, drops a half line across the gap', async () => {
    const { pair, sim, reads, events } = await rig();
    await sim.sendRaw(Buffer.from('half-'));
    await flush();
    pair.unplug('usb gone');
    pair.replug();
    await sim.scan('whole');
    await flush();
    expect(events).toEqual(['disconnect usb gone', 'reconnect']);
    expect(reads).toEqual([{ text: 'whole', symbology: null }]);
  });

  it('20,000 random byte streams: no throw, and a clean line after junk is read', () => {
    const pair = createPipePair();
    const scanner = new SerialScanner(pair.kiosk);
    open.push(scanner);
    const reads: ScanRead[] = [];
    scanner.on('read', (r) => reads.push(r));
    scanner.on('error', () => undefined);
    return scanner.open().then(() => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat({ max: 64 }), { maxLength: 4 }), (junk, cuts) => {
          reads.length = 0;
          const stream = Buffer.concat([Buffer.from(junk), Buffer.from('\r]Q1tail-ok\r\n')]);
          let from = 0;
          for (const c of [...cuts, stream.length].sort((a, b) => a - b)) {
            if (c > from) pair.kiosk.deliver(stream.subarray(from, Math.min(c, stream.length)));
            from = Math.max(from, c);
          }
          const last = reads.at(-1);
          if (!last || last.text !== 'tail-ok' || last.symbology !== ']Q1') throw new Error(`lost the line after ${Buffer.from(junk).toString('hex')}`);
        }),
        { numRuns: 20_000 },
      );
    });
  });
});
