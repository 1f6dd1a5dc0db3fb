import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceError } from '../../../src/core/errors.js';
import type { Key } from '../../../drivers/keypad/contract.js';
import { SerialKeypad, type SerialKeypadOptions } from '../../../drivers/keypad/serial.js';
import { KeypadWireSim, type KeypadWireMode } from '../../../drivers/keypad/serial-sim.js';
import { createPipePair, type PipePair } from '../../../drivers/serial/pipe.js';
import { FakeClock } from '../../support/fake-clock.js';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

const made: SerialKeypad[] = [];
afterEach(async () => {
  for (const k of made.splice(0)) await k.close();
});

async function rig(options: SerialKeypadOptions = {}, wire: KeypadWireMode = 'byte') {
  const clock = new FakeClock();
  const pair: PipePair = createPipePair();
  await pair.device.open();
  const keypad = new SerialKeypad(pair.kiosk, options, clock);
  made.push(keypad);
  const keys: Key[] = [];
  const errors: DeviceError[] = [];
  const events: string[] = [];
  keypad.on('key', (k) => keys.push(k));
  keypad.on('error', (e) => errors.push(e as DeviceError));
  keypad.on('disconnect', () => events.push('disconnect'));
  keypad.on('reconnect', () => events.push('reconnect'));
  await keypad.open();
  return { clock, pair, keypad, keys, errors, events, sim: new KeypadWireSim(pair.device, wire) };
}

describe('serial keypad', () => {
  it('byte mode: one key per byte, as pressed; CR/LF/space ignored', async () => {
    const { sim, keys, errors, pair } = await rig({ mode: 'byte' });
    await sim.press('1234#');
    await flush();
    expect(keys).toEqual(['1', '2', '3', '4', '#']);
    pair.kiosk.deliver(Buffer.from('*\r\n 0'));
    expect(keys.slice(5)).toEqual(['*', '0']);
    expect(errors).toEqual([]);
  });

  it('byte mode: junk bytes dropped with an error naming the bytes, keys around them kept', async () => {
    const { pair, keys, errors } = await rig({ mode: 'byte' });
    pair.kiosk.deliver(Buffer.from([0x31, 0x41, 0xff, 0x32]));
    expect(keys).toEqual(['1', '2']);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('2 byte(s) that are not keys (0x41 0xff)');
  });

  it('line mode: whole entries and one key per line; a garbled line is dropped whole without its keys in the message', async () => {
    const { pair, keys, errors } = await rig({ mode: 'line' }, 'line-entry');
    pair.kiosk.deliver(Buffer.from('1234#\r\n5\r\n6\r'));
    expect(keys).toEqual(['1', '2', '3', '4', '#', '5', '6']);
    pair.kiosk.deliver(Buffer.from('98X7\r\n0\n'));
    expect(keys).toEqual(['1', '2', '3', '4', '#', '5', '6', '0']);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('1 non-key byte(s) (0x58)');
    expect(errors[0].message).not.toMatch(/987|98/);
  });

  it('line mode: keys wait for the line ending', async () => {
    const { pair, keys } = await rig({ mode: 'line' });
    pair.kiosk.deliver(Buffer.from('12'));
    expect(keys).toEqual([]);
    pair.kiosk.deliver(Buffer.from('3\r'));
    expect(keys).toEqual(['1', '2', '3']);
  });

  it('auto: settles on line mode when a line ending comes', async () => {
    const { sim, keys, keypad } = await rig({}, 'line-per-key');
    await sim.press('42#');
    await flush();
    expect(keypad.detectedMode).toBe('line');
    expect(keys).toEqual(['4', '2', '#']);
  });

  it('auto: settles on byte mode after silence without an ending, then keys flow at once', async () => {
    const { sim, keys, keypad, clock, pair } = await rig({ autoDetectMs: 60 });
    await sim.press('7');
    await flush();
    expect(keys).toEqual([]);
    clock.advance(60);
    expect(keypad.detectedMode).toBe('byte');
    expect(keys).toEqual(['7']);
    pair.kiosk.deliver(Buffer.from('8'));
    expect(keys).toEqual(['7', '8']);
  });

  it('emits disconnect and reconnect with the transport', async () => {
    const { pair, sim, keys, events } = await rig({ mode: 'byte' });
    pair.unplug();
    pair.replug();
    await sim.press('5');
    await flush();
    expect(events).toEqual(['disconnect', 'reconnect']);
    expect(keys).toEqual(['5']);
  });

  it('the sim refuses non-keys (a script error, not device input)', async () => {
    const { sim } = await rig();
    await expect(sim.press('12a')).rejects.toThrow(RangeError);
  });

  it('10,000 random streams in each mode: no throw, only keys come out, a clean entry after junk is read', async () => {
    for (const mode of ['byte', 'line'] as const) {
      const { pair, keys } = await rig({ mode });
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 40 }), (junk) => {
          keys.length = 0;
          pair.kiosk.deliver(Buffer.from(junk));
          pair.kiosk.deliver(Buffer.from('\r\n159#\r\n'));
          if (keys.join('').slice(-4) !== '159#') throw new Error(`lost the entry after ${Buffer.from(junk).toString('hex')} (${mode})`);
          if (!keys.every((k) => '0123456789*#'.includes(k))) throw new Error('a non-key came out');
        }),
        { numRuns: 10_000 },
      );
    }
  });
});
