/**
 * The CardReader contract (drivers/card/contract.ts), as tests any reader
 * must pass. `cardReaderContract` runs against a reader with a scriptable
 * card (the vpcd simulator behind pcscd, or the in-process sim);
 * `cardReaderOperatorContract` runs the subset a person can do with a real
 * reader and a prepared card.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import { CardError, type CardInfo, type CardReader, type CardReaderEvents } from '../../../drivers/card/contract.js';

/** What a test can do to the card side. */
export interface CardSimHooks {
  insertCard(spec: { pin: string; files?: Record<string, string | Buffer>; triesLeft?: number }): Promise<void>;
  insertTag(text: string): Promise<void>;
  remove(): Promise<void>;
  /** An EF of the inserted (or last) card, as the card holds it. */
  fileBytes(fileId: number): Buffer | undefined;
  /** Commands the inserted (or last) card saw, e.g. `READ BINARY 255 255`. */
  commands(): string[];
  /** The next APDU is never answered; resolves when it reached the card. */
  holdNextCommand(): Promise<void>;
}

export interface CardRig {
  reader: CardReader;
  sim: CardSimHooks;
  close(): Promise<void>;
}

const EF_SLIP = 0x5331;
const EF_RECEIPT = 0x5332;
const PIN = '48213377';

/** A slip-shaped text of `n` characters (PKS1. and base64url). */
export function slipText(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = 'PKS1.';
  for (let i = 0; s.length < n; i++) s += alphabet[(i * 7 + 3) % alphabet.length];
  return s;
}

/** Resolves with the next `event` from the reader, or rejects after `ms`. */
export function nextEvent<K extends keyof CardReaderEvents>(
  reader: CardReader,
  event: K,
  ms: number,
): Promise<CardReaderEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reader.off(event, on);
      reject(new Error(`no "${event}" event from ${reader.name} within ${ms} ms`));
    }, ms);
    const on = (...args: CardReaderEvents[K]) => {
      clearTimeout(timer);
      reader.off(event, on);
      resolve(args);
    };
    reader.on(event, on);
  });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to reject, it resolved');
}

async function cardError(p: Promise<unknown>): Promise<CardError> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(CardError);
  return err as CardError;
}

export function cardReaderContract(
  label: string,
  makeRig: () => Promise<CardRig>,
  opts: { eventTimeoutMs?: number; setupTimeoutMs?: number } = {},
): void {
  const eventMs = opts.eventTimeoutMs ?? 5000;
  // a rig may wait its turn for a shared device (the vpcd slot lock)
  const setupMs = opts.setupTimeoutMs ?? 120_000;

  describe(`CardReader contract: ${label}`, () => {
    let rig: CardRig;
    let cardIn = false;

    beforeAll(async () => {
      rig = await makeRig();
    }, setupMs);

    afterAll(async () => {
      await rig?.close();
    });

    afterEach(async () => {
      if (!cardIn) return;
      cardIn = false;
      const gone = nextEvent(rig.reader, 'remove', eventMs);
      await rig.sim.remove();
      await gone;
    });

    async function insertCard(spec: { pin: string; files?: Record<string, string | Buffer>; triesLeft?: number }): Promise<CardInfo> {
      const arrived = nextEvent(rig.reader, 'insert', eventMs);
      await rig.sim.insertCard(spec);
      cardIn = true;
      return (await arrived)[0];
    }

    async function insertTag(text: string): Promise<CardInfo> {
      const arrived = nextEvent(rig.reader, 'insert', eventMs);
      await rig.sim.insertTag(text);
      cardIn = true;
      return (await arrived)[0];
    }

    it('emits insert with an ISO card kind and ATR, and remove with the reader name', async () => {
      const info = await insertCard({ pin: PIN, files: { '5331': slipText(40) } });
      expect(info.kind).toBe('iso7816');
      expect(info.atr.length).toBeGreaterThan(1);
      expect(info.atr[0]).toBe(0x3b);
      const gone = nextEvent(rig.reader, 'remove', eventMs);
      await rig.sim.remove();
      cardIn = false;
      expect((await gone)[0]).toBe(info.reader);
    });

    it('without a card, calls reject with CardError removed', async () => {
      expect((await cardError(rig.reader.verifyPin(PIN))).code).toBe('removed');
      expect((await cardError(rig.reader.readNdefText())).code).toBe('removed');
    });

    it('a wrong PIN rejects wrong-pin with the tries left, counting down', async () => {
      await insertCard({ pin: PIN, files: { '5331': slipText(40) } });
      const first = await cardError(rig.reader.verifyPin('11111111'));
      expect(first.code).toBe('wrong-pin');
      expect(first.triesLeft).toBe(2);
      expect(first.sw).toBe(0x63c2);
      const second = await cardError(rig.reader.verifyPin('22222222'));
      expect(second.triesLeft).toBe(1);
      await rig.reader.verifyPin(PIN); // the right PIN still works and resets the counter
      const again = await cardError(rig.reader.verifyPin('33333333'));
      expect(again.triesLeft).toBe(2);
    });

    it('after three wrong PINs the card is blocked, even for the right PIN', async () => {
      await insertCard({ pin: PIN, files: { '5331': slipText(40) } });
      for (const left of [2, 1, 0]) {
        const e = await cardError(rig.reader.verifyPin('99999999'));
        expect([e.code, e.triesLeft]).toEqual(['wrong-pin', left]);
      }
      const blocked = await cardError(rig.reader.verifyPin(PIN));
      expect(blocked.code).toBe('blocked');
      expect(blocked.sw).toBe(0x6983);
    });

    it('the slip file is not readable before VERIFY (security)', async () => {
      await insertCard({ pin: PIN, files: { '5331': slipText(40) } });
      const e = await cardError(rig.reader.readFile(EF_SLIP));
      expect(e.code).toBe('security');
      expect(e.sw).toBe(0x6982);
    });

    it('after the right PIN reads a slip longer than 255 bytes in chunks of at most 255', async () => {
      const slip = slipText(640);
      await insertCard({ pin: PIN, files: { '5331': slip } });
      await rig.reader.verifyPin(PIN);
      const got = await rig.reader.readFile(EF_SLIP);
      expect(got.toString('ascii')).toBe(slip);
      const reads = rig.sim.commands().filter((c) => c.startsWith('READ BINARY'));
      expect(reads).toEqual(['READ BINARY 0 255', 'READ BINARY 255 255', 'READ BINARY 510 255']);
    });

    it('reads a file that ends exactly on a chunk edge (6B00 at the end)', async () => {
      const slip = slipText(510);
      await insertCard({ pin: PIN, files: { '5331': slip } });
      await rig.reader.verifyPin(PIN);
      expect((await rig.reader.readFile(EF_SLIP)).toString('ascii')).toBe(slip);
      expect(rig.sim.commands().filter((c) => c.startsWith('READ BINARY'))).toEqual([
        'READ BINARY 0 255',
        'READ BINARY 255 255',
        'READ BINARY 510 255',
      ]);
    });

    it('a file the card does not have rejects not-found', async () => {
      await insertCard({ pin: PIN, files: { '5331': slipText(40) } });
      await rig.reader.verifyPin(PIN);
      const e = await cardError(rig.reader.readFile(0x5333));
      expect(e.code).toBe('not-found');
      expect(e.sw).toBe(0x6a82);
    });

    it('UPDATE BINARY of 5332 stores event id, 0x00 and the 32-byte proof on the card', async () => {
      await insertCard({ pin: PIN, files: { '5331': slipText(300) } });
      await rig.reader.verifyPin(PIN);
      const proof = Buffer.alloc(32);
      for (let i = 0; i < 32; i++) proof[i] = (i * 37 + 11) & 0xff;
      const record = Buffer.concat([Buffer.from('01JDX8Q3W6M1N2P3R4S5T6V7W8', 'ascii'), Buffer.from([0]), proof]);
      await rig.reader.updateFile(EF_RECEIPT, record);
      expect(rig.sim.fileBytes(EF_RECEIPT)?.equals(record)).toBe(true);
      expect((await rig.reader.readFile(EF_RECEIPT)).equals(record)).toBe(true);
    });

    it('UPDATE BINARY longer than 255 bytes goes in chunks of at most 255', async () => {
      await insertCard({ pin: PIN, files: { '5331': slipText(40) } });
      await rig.reader.verifyPin(PIN);
      const data = Buffer.alloc(300);
      for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
      await rig.reader.updateFile(EF_RECEIPT, data);
      expect(rig.sim.fileBytes(EF_RECEIPT)?.equals(data)).toBe(true);
      expect(rig.sim.commands().filter((c) => c.startsWith('UPDATE BINARY'))).toEqual([
        'UPDATE BINARY 0 255',
        'UPDATE BINARY 255 45',
      ]);
    });

    it('UPDATE BINARY before VERIFY rejects security and writes nothing', async () => {
      await insertCard({ pin: PIN, files: { '5331': slipText(40) } });
      const e = await cardError(rig.reader.updateFile(EF_RECEIPT, Buffer.from('x')));
      expect(e.code).toBe('security');
      expect(rig.sim.fileBytes(EF_RECEIPT)?.length).toBe(0);
    });

    it('reads the Text record of an NFC tag across many pages', async () => {
      const text = slipText(640);
      const info = await insertTag(text);
      expect(info.kind).toBe('ntag');
      expect(await rig.reader.readNdefText()).toBe(text);
      const pages = rig.sim.commands().filter((c) => c.startsWith('READ PAGE'));
      expect(pages[0]).toBe('READ PAGE 4 16');
      expect(pages.length).toBeGreaterThan(40); // 16 bytes a read
    });

    it('IC card calls on a tag, and tag calls on a card, reject unsupported', async () => {
      await insertTag('PKS1.short');
      expect((await cardError(rig.reader.verifyPin(PIN))).code).toBe('unsupported');
      const gone = nextEvent(rig.reader, 'remove', eventMs);
      await rig.sim.remove();
      await gone;
      await insertCard({ pin: PIN, files: { '5331': slipText(40) } });
      expect((await cardError(rig.reader.readNdefText())).code).toBe('unsupported');
    });

    it('a card pulled mid-command rejects the pending call with removed', async () => {
      await insertCard({ pin: PIN, files: { '5331': slipText(640) } });
      await rig.reader.verifyPin(PIN);
      const held = rig.sim.holdNextCommand();
      const reading = rig.reader.readFile(EF_SLIP);
      const queued = rig.reader.verifyPin(PIN); // waits its turn, must reject too
      await held;
      const gone = nextEvent(rig.reader, 'remove', eventMs);
      await rig.sim.remove();
      cardIn = false;
      expect((await cardError(reading)).code).toBe('removed');
      expect((await cardError(queued)).code).toBe('removed');
      await gone;
    });

    it('after close, calls reject with DeviceError closed, and close is safe twice', async () => {
      await rig.reader.close();
      await rig.reader.close();
      const err = await rejection(rig.reader.verifyPin(PIN));
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).code).toBe('closed');
    });
  });
}

/**
 * With a real reader and a person at it: they present a card prepared with
 * `pin` and a slip in EF 5331 when asked, then take it away. Only what does
 * not spend PIN tries or write to the card is checked.
 */
export function cardReaderOperatorContract(label: string, makeReader: () => Promise<CardReader>, pin: string | undefined): void {
  const waitMs = 60_000;
  describe(`CardReader contract (operator): ${label}`, () => {
    let reader: CardReader;
    beforeAll(async () => {
      reader = await makeReader();
    });
    afterAll(async () => {
      await reader?.close();
    });

    it(
      'reports a card put on the reader and taken away',
      async () => {
        console.log(`[${label}] present the test card now`);
        const [info] = await nextEvent(reader, 'insert', waitMs);
        expect(info.atr.length).toBeGreaterThan(1);
        if (pin !== undefined && info.kind === 'iso7816') {
          await reader.verifyPin(pin);
          const slip = await reader.readFile(EF_SLIP);
          expect(slip.subarray(0, 5).toString('ascii')).toBe('PKS1.');
        } else if (info.kind === 'ntag') {
          expect((await reader.readNdefText()).startsWith('PKS1.')).toBe(true);
        }
        console.log(`[${label}] take the card away`);
        const [name] = await nextEvent(reader, 'remove', waitMs);
        expect(name).toBe(info.reader);
      },
      2 * waitMs + 10_000,
    );
  });
}
