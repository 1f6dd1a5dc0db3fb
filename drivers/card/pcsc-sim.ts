/**
 * A PC/SC stack in process, behind the same OpenPcsc interface pcsclite.ts
 * gives the driver. It exists for what pcscd and vpcd give no way to do from
 * outside: unplug a reader, stop the service, fail a connect, keep a card
 * silent. Readers hold the same VirtualCards the other simulators carry.
 * Nothing in the real driver's path refers to it.
 */
import { TypedEmitter } from '../../src/core/events.js';
import { DeviceError } from '../../src/core/errors.js';
import {
  PcscError,
  SCARD,
  type OpenPcsc,
  type PcscContext,
  type PcscContextEvents,
  type PcscReaderEvents,
  type PcscReaderHandle,
  type PcscReaderStatus,
} from './binding.js';
import type { VirtualCard } from './virtual-card.js';

const STATE_EMPTY = 0x10;
const STATE_PRESENT = 0x20;

interface SlotState {
  card: VirtualCard | undefined;
  /** Bumped on every insert/remove, so a handle can tell a card it connected to from a new one. */
  generation: number;
  failNextConnect: number | undefined;
  hold: { held: () => void } | undefined;
  /** Transmits the card has not answered (held), with how to fail them. */
  stalled: Set<(err: PcscError) => void>;
}

class SimReader extends TypedEmitter<PcscReaderEvents> implements PcscReaderHandle {
  private connectedTo: number | undefined;
  closed = false;

  constructor(
    readonly name: string,
    private readonly slot: SlotState,
  ) {
    super();
  }

  status(): PcscReaderStatus {
    const card = this.slot.card;
    return card
      ? { present: true, atr: Buffer.from(card.atr), state: STATE_PRESENT }
      : { present: false, atr: Buffer.alloc(0), state: STATE_EMPTY };
  }

  announce(): void {
    if (!this.closed) this.emit('status', this.status());
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('end');
  }

  async connect(): Promise<'T0' | 'T1' | 'raw'> {
    await Promise.resolve();
    if (this.closed) throw new PcscError('SCardConnect error: Unknown reader.(0x80100009)', SCARD.E_UNKNOWN_READER);
    const fail = this.slot.failNextConnect;
    if (fail !== undefined) {
      this.slot.failNextConnect = undefined;
      throw new PcscError(`SCardConnect error: simulated failure (0x${fail.toString(16)})`, fail);
    }
    if (!this.slot.card) throw new PcscError('SCardConnect error: No smart card inserted.(0x8010000c)', SCARD.E_NO_SMARTCARD);
    this.connectedTo = this.slot.generation;
    return 'T1';
  }

  async transmit(command: Buffer): Promise<Buffer> {
    await Promise.resolve();
    const card = this.slot.card;
    if (this.closed) throw new PcscError('SCardTransmit error: Reader unavailable.(0x80100017)', SCARD.E_READER_UNAVAILABLE);
    if (!card || this.connectedTo !== this.slot.generation) {
      throw new PcscError('SCardTransmit error: Card was removed.(0x80100069)', SCARD.W_REMOVED_CARD);
    }
    const hold = this.slot.hold;
    if (hold) {
      this.slot.hold = undefined;
      return new Promise<Buffer>((_resolve, reject) => {
        this.slot.stalled.add(reject);
        hold.held();
      });
    }
    return card.process(command);
  }

  async disconnect(): Promise<void> {
    await Promise.resolve();
    if (this.connectedTo === this.slot.generation) this.slot.card?.reset();
    this.connectedTo = undefined;
  }

  close(): void {
    this.closed = true;
  }
}

class SimContext extends TypedEmitter<PcscContextEvents> implements PcscContext {
  readonly readers = new Set<SimReader>();
  closed = false;

  close(): void {
    this.closed = true;
    for (const r of this.readers) r.close();
  }

  announce(r: SimReader): void {
    if (this.closed) return;
    this.readers.add(r);
    this.emit('reader', r);
    r.announce();
  }

  fail(message: string): void {
    if (this.closed) return;
    for (const r of this.readers) r.end();
    this.readers.clear();
    this.emitError(new PcscError(message, SCARD.E_NO_SERVICE));
    this.closed = true;
  }
}

/** An in-process PC/SC service with script hooks. */
export class SimPcscStack {
  private serviceUp = true;
  private readonly slots = new Map<string, SlotState>();
  private readonly contexts = new Set<SimContext>();
  /** How many times a context was asked for (opens and reconnect attempts). */
  opens = 0;

  constructor(readerNames: string[] = ['Sim PCD 00 00']) {
    for (const n of readerNames) this.slots.set(n, this.newSlot());
  }

  /** The OpenPcsc to give PcscCardReader. */
  readonly open: OpenPcsc = async () => {
    this.opens += 1;
    if (!this.serviceUp) {
      throw new DeviceError('not-found', 'PC/SC service not available (simulated pcscd is stopped)', 'card:pcsc');
    }
    const ctx = new SimContext();
    this.contexts.add(ctx);
    // Readers are reported after open() returns, as pcsclite does from its watcher thread.
    setImmediate(() => {
      for (const name of this.slots.keys()) this.announceTo(ctx, name);
    });
    return ctx;
  };

  /** A reader is plugged in. */
  plugReader(name: string): void {
    if (this.slots.has(name)) return;
    this.slots.set(name, this.newSlot());
    for (const ctx of this.contexts) this.announceTo(ctx, name);
  }

  /** A reader is unplugged: its handles end; a held command fails as pcscd fails it. */
  unplugReader(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    this.slots.delete(name);
    this.failStalled(slot, new PcscError('SCardTransmit error: Reader unavailable.(0x80100017)', SCARD.E_READER_UNAVAILABLE));
    for (const r of this.handles(name)) r.end();
  }

  /** pcscd stops: every context errors, every reader ends, opens fail until startService(). */
  stopService(): void {
    this.serviceUp = false;
    for (const slot of this.slots.values()) {
      this.failStalled(slot, new PcscError('SCardTransmit error: Service was stopped.(0x8010001e)', SCARD.E_SERVICE_STOPPED));
    }
    for (const ctx of this.contexts) ctx.fail('SCardGetStatusChange error: Service not available.(0x8010001d)');
    this.contexts.clear();
  }

  startService(): void {
    this.serviceUp = true;
  }

  /** A card or tag arrives on the reader. */
  insert(readerName: string, card: VirtualCard): void {
    const slot = this.slot(readerName);
    slot.card = card;
    slot.generation += 1;
    for (const r of this.handles(readerName)) r.announce();
  }

  /**
   * The card leaves. A held command fails the way vpcd makes pcscd fail it:
   * a plain transmit failure, with the removal showing in the status a moment
   * later (on the next turn of the event loop).
   */
  remove(readerName: string, heldFailsWith: number = SCARD.E_NOT_TRANSACTED): void {
    const slot = this.slot(readerName);
    if (!slot.card) return;
    this.failStalled(slot, new PcscError(`SCardTransmit error: simulated (0x${heldFailsWith.toString(16)})`, heldFailsWith));
    slot.card = undefined;
    slot.generation += 1;
    slot.hold = undefined;
    // pcscd shows a removal at its next presence poll, after the failed command came back
    const handles = [...this.handles(readerName)];
    setImmediate(() => {
      for (const r of handles) r.announce();
    });
  }

  /** The next connect on this reader fails with `scard`. */
  failNextConnect(readerName: string, scard: number): void {
    this.slot(readerName).failNextConnect = scard;
  }

  /** The next command reaches the card and is not answered until the card or reader goes. */
  holdNextCommand(readerName: string): Promise<void> {
    const slot = this.slot(readerName);
    return new Promise((resolve) => {
      slot.hold = { held: resolve };
    });
  }

  /** A held command fails with `scard` while the card stays (a flaky contact). */
  failHeldCommand(readerName: string, scard: number = SCARD.E_NOT_TRANSACTED): void {
    this.failStalled(this.slot(readerName), new PcscError(`SCardTransmit error: simulated (0x${scard.toString(16)})`, scard));
  }

  /** The card on the reader (or undefined). */
  card(readerName: string): VirtualCard | undefined {
    return this.slots.get(readerName)?.card;
  }

  private newSlot(): SlotState {
    return { card: undefined, generation: 0, failNextConnect: undefined, hold: undefined, stalled: new Set() };
  }

  private slot(name: string): SlotState {
    const s = this.slots.get(name);
    if (!s) throw new RangeError(`no simulated reader "${name}"`);
    return s;
  }

  private announceTo(ctx: SimContext, name: string): void {
    const slot = this.slots.get(name);
    if (slot) ctx.announce(new SimReader(name, slot));
  }

  private *handles(name: string): Generator<SimReader> {
    for (const ctx of this.contexts) for (const r of ctx.readers) if (r.name === name && !r.closed) yield r;
  }

  private failStalled(slot: SlotState, err: PcscError): void {
    for (const reject of slot.stalled) reject(err);
    slot.stalled.clear();
  }
}
