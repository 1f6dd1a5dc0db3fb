/**
 * PcscCardReader → pcsclite → pcscd → vpcd → VpcdCardSim, all real. Needs
 * Debian pcscd and vsmartcard-vpcd (scripts/pcscd-vpcd.sh starts pcscd).
 * A vpcd slot lock keeps parallel test files off each other's cards.
 *
 * With KIOSK_TEST_READER naming a real reader (a name or part of one, as
 * pcsc_scan shows it) the operator contract runs against it too: a person
 * presents a prepared card when told (PIN in KIOSK_TEST_CARD_PIN, a slip in
 * EF 5331) or an NTAG holding a slip. Without the variable it is not registered.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcscCardReader } from '../../drivers/card/pcsc.js';
import { pcscLiteOpener } from '../../drivers/card/pcsclite.js';
import { acquireVpcdSlot, type VpcdSlot } from '../../drivers/card/vpcd-lock.js';
import { VpcdCardSim } from '../../drivers/card/vpcd-sim.js';
import { DeviceError } from '../../src/core/errors.js';
import { createLogger, silentLog } from '../../src/core/log.js';
import { cardReaderContract, cardReaderOperatorContract, nextEvent, slipText } from './contracts/card.js';

const script = fileURLToPath(new URL('../../scripts/pcscd-vpcd.sh', import.meta.url));

/** KIOSK_TEST_LOG=debug shows the driver's log. */
const log = process.env.KIOSK_TEST_LOG ? createLogger({ level: process.env.KIOSK_TEST_LOG }) : silentLog;

function startPcscd(): void {
  execFileSync('bash', [script], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

async function rig(slot: VpcdSlot): Promise<{ reader: PcscCardReader; sim: VpcdCardSim }> {
  const sim = new VpcdCardSim({ port: slot.port });
  const reader = new PcscCardReader({ reader: slot.readerName, log });
  await reader.open();
  return { reader, sim };
}

cardReaderContract('PC/SC via pcscd + vpcd', async () => {
  startPcscd();
  const slot = await acquireVpcdSlot({ timeoutMs: 110_000 });
  try {
    const { reader, sim } = await rig(slot);
    return {
      reader,
      sim: {
        insertCard: (spec) => sim.insertCard(spec),
        insertTag: (text) => sim.insertTag(text),
        remove: () => sim.remove(),
        fileBytes: (id) => sim.fileBytes(id),
        commands: () => sim.commands(),
        holdNextCommand: () => sim.holdNextCommand(),
      },
      close: async () => {
        await reader.close();
        await sim.remove();
        await slot.release();
      },
    };
  } catch (err) {
    await slot.release();
    throw err;
  }
});

describe('PcscCardReader over pcscd and vpcd', () => {
  let slot: VpcdSlot;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    startPcscd();
    slot = await acquireVpcdSlot({ timeoutMs: 110_000 });
  }, 120_000);

  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  afterAll(async () => {
    await slot?.release();
  });

  it('reports a card that was already on the reader when it opened', async () => {
    const sim = new VpcdCardSim({ port: slot.port });
    await sim.insertCard({ pin: '1234', files: { '5331': slipText(30) } });
    cleanup.push(() => sim.remove());
    // let pcscd notice the card before the driver starts
    await new Promise((r) => setTimeout(r, 900));
    const reader = new PcscCardReader({ reader: slot.readerName, log });
    cleanup.push(() => reader.close());
    const arrived = nextEvent(reader, 'insert', 5000);
    await reader.open();
    const [info] = await arrived;
    expect(info.reader).toContain(slot.readerName);
    await reader.verifyPin('1234');
    expect((await reader.readFile(0x5331)).toString()).toBe(slipText(30));
  });

  it('open() rejects not-found naming the readers it saw when none matches', async () => {
    const reader = new PcscCardReader({ reader: 'No Such Reader', openTimeoutMs: 700 });
    cleanup.push(() => reader.close());
    const err = await reader.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('not-found');
    expect((err as DeviceError).message).toMatch(/No Such Reader.*Virtual PCD/);
  });

  it('open() rejects missing-module, naming what to install, when the native module is absent', async () => {
    const reader = new PcscCardReader({ open: pcscLiteOpener('pcsclite-not-installed-here') });
    const err = await reader.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('missing-module');
    expect((err as DeviceError).message).toContain('libpcsclite-dev');
    expect((err as DeviceError).message).toContain('npm install pcsclite');
  });

  it('a card powered by pcscd loses its PIN state when pulled and put back', async () => {
    const sim = new VpcdCardSim({ port: slot.port });
    const reader = new PcscCardReader({ reader: slot.readerName, log });
    cleanup.push(() => sim.remove(), () => reader.close());
    await reader.open();
    let arrived = nextEvent(reader, 'insert', 5000);
    await sim.insertCard({ pin: '1234', files: { '5331': 'PKS1.abc' } });
    await arrived;
    expect(sim.isPowered).toBe(true);
    await reader.verifyPin('1234');
    const card = sim.current!;
    const gone = nextEvent(reader, 'remove', 5000);
    await sim.remove();
    await gone;
    arrived = nextEvent(reader, 'insert', 5000);
    await sim.insert(card); // the same card, back again
    await arrived;
    await expect(reader.readFile(0x5331)).rejects.toMatchObject({ code: 'security' });
  });
});

const realReader = process.env.KIOSK_TEST_READER;
if (realReader) {
  cardReaderOperatorContract(
    `PC/SC reader "${realReader}"`,
    async () => {
      const reader = new PcscCardReader({ reader: realReader, log });
      await reader.open();
      return reader;
    },
    process.env.KIOSK_TEST_CARD_PIN,
  );
}
