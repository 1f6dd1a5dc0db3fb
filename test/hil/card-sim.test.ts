import { describe, expect, it } from 'vitest';
import { SimCardReader } from '../../drivers/card/sim.js';
import { cardReaderContract, slipText } from './contracts/card.js';

cardReaderContract('in-process sim', async () => {
  const reader = new SimCardReader();
  await reader.open();
  return {
    reader,
    sim: {
      insertCard: async (spec) => void reader.insert(spec),
      insertTag: async (text) => void reader.insertTag(text),
      remove: async () => reader.remove(),
      fileBytes: (id) => reader.fileBytes(id),
      commands: () => reader.commands(),
      holdNextCommand: () => reader.holdNextCommand(),
    },
    close: () => reader.close(),
  };
});

describe('SimCardReader hooks for GET /sim/state', () => {
  it('files() shows text files as text and binary ones as hex:, and null without a card', async () => {
    const reader = new SimCardReader();
    await reader.open();
    expect(reader.files()).toBeNull();
    const slip = slipText(80);
    reader.insert({ pin: '12345678', files: { '5331': slip } });
    expect(reader.files()).toEqual({ '5331': slip, '5332': '' });
    await reader.verifyPin('12345678');
    await reader.updateFile(0x5332, Buffer.concat([Buffer.from('evt-1'), Buffer.from([0, 0xff])]));
    expect(reader.files()).toEqual({ '5331': slip, '5332': `hex:${Buffer.from('evt-1').toString('hex')}00ff` });
    reader.remove();
    expect(reader.files()).toBeNull();
    await reader.close();
  });

  it('accepts hex: file contents on insert, and rejects a bad file id with a reason', async () => {
    const reader = new SimCardReader();
    await reader.open();
    reader.insert({ pin: '1234', files: { '5331': 'hex:504b5331' } });
    await reader.verifyPin('1234');
    expect((await reader.readFile(0x5331)).toString()).toBe('PKS1');
    expect(() => reader.insert({ pin: '1234', files: { '53310': 'x' } })).toThrow(/4 hex digits/);
    await reader.close();
  });

  it('reports a card already inserted at open, and emits nothing after close', async () => {
    const reader = new SimCardReader();
    const seen: string[] = [];
    reader.on('insert', () => seen.push('insert')).on('remove', () => seen.push('remove'));
    reader.insert({ pin: '1234' });
    await reader.open();
    reader.remove();
    reader.insertTag('PKS1.x');
    await reader.close();
    reader.remove();
    expect(seen).toEqual(['insert', 'remove', 'insert']);
  });
});
