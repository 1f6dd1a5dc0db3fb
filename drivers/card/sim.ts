/**
 * The card reader of the kiosk's `sim` mode: a CardReader in process whose
 * cards are the same VirtualIsoCard / VirtualNtag the vpcd simulator carries,
 * driven by the same APDU sequences as the PC/SC driver. Script hooks:
 * insert({ pin, files }), insertTag(text), remove(); files() is what
 * GET /sim/state shows as `card.files`.
 */
import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import { CardError, type CardInfo, type CardKind, type CardReader, type CardReaderEvents } from './contract.js';
import { OpQueue } from './ops.js';
import * as session from './session.js';
import { VirtualIsoCard, VirtualNtag, type IsoCardSpec, type VirtualCard } from './virtual-card.js';

export interface SimCardReaderOptions {
  /** Reader name in CardInfo and `remove` (default "Sim Reader 00 00"). */
  readerName?: string;
}

export class SimCardReader extends TypedEmitter<CardReaderEvents> implements CardReader {
  readonly name = 'card:sim';
  readonly readerName: string;
  private state: 'idle' | 'open' | 'closed' = 'idle';
  private card: VirtualCard | undefined;
  private last: VirtualCard | undefined;
  private readonly ops = new OpQueue();
  private hold: { held: () => void } | undefined;

  constructor(opts: SimCardReaderOptions = {}) {
    super();
    this.readerName = opts.readerName ?? 'Sim Reader 00 00';
  }

  async open(): Promise<void> {
    if (this.state === 'closed') throw new DeviceError('closed', 'the reader was closed', this.name);
    if (this.state === 'open') return;
    this.state = 'open';
    // Like a real reader: a card already on it is reported once the reader is open.
    const card = this.card;
    if (card) this.emit('insert', { reader: this.readerName, atr: Buffer.from(card.atr), kind: card.kind });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.ops.abortAll(new DeviceError('closed', 'the reader was closed', this.name));
    this.card = undefined;
    this.hold = undefined;
  }

  // --- script hooks ---

  /** An IC card with this PIN and files ({ "5331": "PKS1.…" }) is inserted (replacing any card). */
  insert(spec: IsoCardSpec): CardInfo {
    return this.present(new VirtualIsoCard(spec));
  }

  /** An NFC tag holding an NDEF Text record with `text` is presented. */
  insertTag(text: string): CardInfo {
    return this.present(new VirtualNtag(text));
  }

  /** The card or tag leaves; pending calls reject with CardError `removed`. */
  remove(): void {
    const card = this.card;
    if (!card) return;
    this.card = undefined;
    this.hold = undefined;
    this.ops.abortAll(new CardError('removed', `the card was removed from "${this.readerName}"`));
    if (this.state === 'open') this.emit('remove', this.readerName);
  }

  /**
   * The next APDU reaches the card and is never answered (a card pulled
   * mid-command). Resolves once it has arrived.
   */
  holdNextCommand(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.hold = { held: resolve };
    });
  }

  /** The inserted IC card's files for GET /sim/state (`card.files`), or null without one. */
  files(): Record<string, string> | null {
    return this.card instanceof VirtualIsoCard ? this.card.files() : null;
  }

  /** An EF of the inserted, or last, IC card. */
  fileBytes(fileId: number): Buffer | undefined {
    const card = this.card ?? this.last;
    return card instanceof VirtualIsoCard ? card.file(fileId) : undefined;
  }

  /** Commands the inserted, or last, card saw (never the PIN). */
  commands(): string[] {
    return [...((this.card ?? this.last)?.log ?? [])];
  }

  // --- CardReader ---

  verifyPin(pin: string): Promise<void> {
    return this.run('iso7816', (tx) => session.verifyPin(tx, pin));
  }

  readFile(fileId: number): Promise<Buffer> {
    return this.run('iso7816', (tx) => session.readFile(tx, fileId));
  }

  updateFile(fileId: number, data: Buffer): Promise<void> {
    return this.run('iso7816', (tx) => session.updateFile(tx, fileId, data));
  }

  readNdefText(): Promise<string> {
    return this.run('ntag', (tx) => session.readNdefText(tx));
  }

  private present(card: VirtualCard): CardInfo {
    if (this.card) this.remove();
    this.card = card;
    this.last = card;
    const info: CardInfo = { reader: this.readerName, atr: Buffer.from(card.atr), kind: card.kind };
    if (this.state === 'open') this.emit('insert', info);
    return info;
  }

  private run<T>(kind: CardKind, fn: (tx: session.Transmit) => Promise<T>): Promise<T> {
    if (this.state !== 'open') {
      return Promise.reject(new DeviceError('closed', this.state === 'closed' ? 'the reader was closed' : 'the reader is not open yet', this.name));
    }
    const card = this.card;
    if (!card) return Promise.reject(new CardError('removed', `no card on "${this.readerName}"`));
    if (card.kind !== kind) {
      const what = card.kind === 'ntag' ? 'an NFC tag, not an IC card' : 'an IC card, not an NFC tag';
      return Promise.reject(new CardError('unsupported', `the card on "${this.readerName}" is ${what}`));
    }
    return this.ops.run((signal) =>
      fn(async (command) => {
        if (signal.aborted || this.card !== card) throw signal.reason ?? new CardError('removed', 'the card was removed');
        const hold = this.hold;
        if (hold) {
          this.hold = undefined;
          hold.held();
          return new Promise<Buffer>(() => undefined); // never answered; remove() rejects the call
        }
        return card.process(command);
      }),
    );
  }
}
