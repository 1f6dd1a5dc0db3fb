/**
 * PcscCardReader on the in-process PC/SC stack: the faults pcscd and vpcd give
 * no way to cause from outside (reader unplugged, service stopped, connect
 * refused, a card that never answers), with time on a FakeClock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SCARD } from '../../drivers/card/binding.js';
import { CardError } from '../../drivers/card/contract.js';
import { PcscCardReader } from '../../drivers/card/pcsc.js';
import { SimPcscStack } from '../../drivers/card/pcsc-sim.js';
import { VirtualIsoCard, VirtualNtag } from '../../drivers/card/virtual-card.js';
import { DeviceError } from '../../src/core/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { cardReaderContract, nextEvent } from './contracts/card.js';

const READER = 'Sim PCD 00 00';

cardReaderContract('PcscCardReader on the in-process PC/SC stack', async () => {
  const stack = new SimPcscStack([READER]);
  const reader = new PcscCardReader({ open: stack.open });
  await reader.open();
  let last: VirtualIsoCard | VirtualNtag | undefined;
  return {
    reader,
    sim: {
      insertCard: async (spec) => stack.insert(READER, (last = new VirtualIsoCard(spec))),
      insertTag: async (text) => stack.insert(READER, (last = new VirtualNtag(text))),
      remove: async () => stack.remove(READER),
      fileBytes: (id) => (last instanceof VirtualIsoCard ? last.file(id) : undefined),
      commands: () => [...(last?.log ?? [])],
      holdNextCommand: () => stack.holdNextCommand(READER),
    },
    close: () => reader.close(),
  };
});

const flush = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

function record(reader: PcscCardReader): string[] {
  const seen: string[] = [];
  reader.on('insert', (c) => seen.push(`insert ${c.kind}`));
  reader.on('remove', () => seen.push('remove'));
  reader.on('disconnect', () => seen.push('disconnect'));
  reader.on('reconnect', () => seen.push('reconnect'));
  reader.on('error', (e) => seen.push(`error ${(e as DeviceError).code}`));
  return seen;
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

describe('PcscCardReader faults', () => {
  const open: PcscCardReader[] = [];
  afterEach(async () => {
    for (const r of open.splice(0)) await r.close();
  });

  async function setup(readers = [READER], opts: { reader?: string } = {}) {
    const clock = new FakeClock();
    const stack = new SimPcscStack(readers);
    const reader = new PcscCardReader({ open: stack.open, clock, reader: opts.reader, reconnectMs: 2000 });
    open.push(reader);
    const seen = record(reader);
    const opening = reader.open();
    await flush();
    await opening;
    return { clock, stack, reader, seen };
  }

  it('picks the reader whose name contains the configured text, else the first', async () => {
    const a = await setup(['ACS ACR122U 00 00', 'Virtual PCD 00 00'], { reader: 'Virtual' });
    expect(a.reader.readerName).toBe('Virtual PCD 00 00');
    const b = await setup(['ACS ACR122U 00 00', 'Virtual PCD 00 00']);
    expect(b.reader.readerName).toBe('ACS ACR122U 00 00');
  });

  it('open() rejects not-found after its timeout when no reader matches', async () => {
    const clock = new FakeClock();
    const stack = new SimPcscStack(['Other 00 00']);
    const reader = new PcscCardReader({ open: stack.open, clock, reader: 'Wanted', openTimeoutMs: 3000 });
    const opening = errorOf(reader.open());
    await flush();
    clock.advance(3000);
    const err = await opening;
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('not-found');
    expect(err.message).toContain('"Other 00 00"');
  });

  it('open() rejects not-found when the PC/SC service is down', async () => {
    const stack = new SimPcscStack();
    stack.stopService();
    const err = await errorOf(new PcscCardReader({ open: stack.open }).open());
    expect((err as DeviceError).code).toBe('not-found');
  });

  it('an unplugged reader rejects the pending call with disconnected, emits remove then disconnect; plugged back, reconnect', async () => {
    const { stack, reader, seen } = await setup();
    stack.insert(READER, new VirtualIsoCard({ pin: '1234' }));
    await flush();
    const held = stack.holdNextCommand(READER);
    const pending = errorOf(reader.verifyPin('1234'));
    await held;
    stack.unplugReader(READER);
    const err = await pending;
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('disconnected');
    expect(seen).toEqual(['insert iso7816', 'remove', 'disconnect']);
    expect(((await errorOf(reader.verifyPin('1234'))) as DeviceError).code).toBe('disconnected');

    stack.plugReader(READER);
    await flush();
    expect(seen.slice(3)).toEqual(['reconnect']);
    stack.insert(READER, new VirtualIsoCard({ pin: '1234' }));
    await flush();
    await reader.verifyPin('1234');
    expect(seen.slice(4)).toEqual(['insert iso7816']);
  });

  it('when pcscd stops it disconnects, retries every reconnectMs, and reconnects once pcscd is back', async () => {
    const { clock, stack, reader, seen } = await setup();
    stack.insert(READER, new VirtualIsoCard({ pin: '1234' }));
    await flush();
    const opensBefore = stack.opens;
    stack.stopService();
    expect(seen).toEqual(['insert iso7816', 'remove', 'disconnect']);
    clock.advance(2000);
    await flush();
    clock.advance(2000);
    await flush();
    expect(stack.opens - opensBefore).toBe(2); // two attempts while it was down
    stack.startService();
    clock.advance(1999);
    await flush();
    expect(seen).not.toContain('reconnect');
    clock.advance(1);
    await flush();
    expect(seen.slice(3)).toEqual(['reconnect', 'insert iso7816']); // the card was still on the reader
    await reader.verifyPin('1234');
  });

  it('a card pulled mid-command whose removal shows after the transmit failed still rejects removed', async () => {
    const { stack, reader } = await setup();
    stack.insert(READER, new VirtualIsoCard({ pin: '1234' }));
    await flush();
    const held = stack.holdNextCommand(READER);
    const pending = errorOf(reader.verifyPin('1234'));
    await held;
    stack.remove(READER, SCARD.E_NOT_TRANSACTED);
    const err = await pending;
    expect(err).toBeInstanceOf(CardError);
    expect((err as CardError).code).toBe('removed');
  });

  it('an unclear transmit failure without a removal becomes failed after the grace time', async () => {
    const { clock, stack, reader } = await setup();
    stack.insert(READER, new VirtualIsoCard({ pin: '1234' }));
    await flush();
    // the card stays, but its command fails as a broken contact would
    const held = stack.holdNextCommand(READER);
    const pending = errorOf(reader.verifyPin('1234'));
    await held;
    stack.failHeldCommand(READER, SCARD.E_NOT_TRANSACTED);
    await flush();
    clock.advance(1499);
    await flush();
    let settled = false;
    void pending.then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    clock.advance(1);
    const err = await pending;
    expect((err as CardError).code).toBe('failed');
    expect(err.message).toContain('did not answer');
  });

  it('a card that never answers rejects with DeviceError timeout after commandTimeoutMs', async () => {
    const { clock, stack, reader } = await setup();
    stack.insert(READER, new VirtualIsoCard({ pin: '1234' }));
    await flush();
    const held = stack.holdNextCommand(READER);
    const pending = errorOf(reader.verifyPin('1234'));
    await held;
    clock.advance(5000);
    const err = await pending;
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('timeout');
  });

  it('a card that cannot be connected emits error (device-error) and no insert; calls reject', async () => {
    const { stack, reader, seen } = await setup();
    stack.failNextConnect(READER, SCARD.W_UNRESPONSIVE_CARD);
    stack.insert(READER, new VirtualIsoCard({ pin: '1234' }));
    await flush();
    expect(seen).toEqual(['error device-error']);
    const err = await errorOf(reader.verifyPin('1234'));
    expect((err as DeviceError).code).toBe('device-error');
    stack.remove(READER);
    expect(seen).toEqual(['error device-error']); // no remove for a card never reported
  });

  it('a card swapped for another between two status polls is reported as remove then insert', async () => {
    const { stack, seen } = await setup();
    stack.insert(READER, new VirtualIsoCard({ pin: '1234' }));
    await flush();
    stack.insert(READER, new VirtualNtag('PKS1.x'));
    await flush();
    expect(seen).toEqual(['insert iso7816', 'remove', 'insert ntag']);
  });

  it('close() rejects a pending call with closed, leaves the card, and emits nothing after', async () => {
    const { stack, reader, seen } = await setup();
    const card = new VirtualIsoCard({ pin: '1234' });
    stack.insert(READER, card);
    await flush();
    await reader.verifyPin('1234');
    const held = stack.holdNextCommand(READER);
    const pending = errorOf(reader.readFile(0x5332));
    await held;
    const closing = reader.close();
    const err = await pending;
    expect((err as DeviceError).code).toBe('closed');
    stack.remove(READER);
    await closing;
    stack.insert(READER, new VirtualIsoCard({ pin: '1' }));
    await flush();
    expect(seen).toEqual(['insert iso7816']);
  });

  it('insert and remove events carry the reader name; a pulled card rejects queued calls too', async () => {
    const { stack, reader } = await setup();
    const arrived = nextEvent(reader, 'insert', 1000);
    stack.insert(READER, new VirtualIsoCard({ pin: '1234', files: { '5331': 'PKS1.a' } }));
    const [info] = await arrived;
    expect(info.reader).toBe(READER);
    const held = stack.holdNextCommand(READER);
    const a = errorOf(reader.verifyPin('1234'));
    const b = errorOf(reader.readFile(0x5331));
    await held;
    stack.remove(READER, SCARD.W_REMOVED_CARD);
    expect(((await a) as CardError).code).toBe('removed');
    expect(((await b) as CardError).code).toBe('removed');
  });
});
