/**
 * A virtual card that plugs into pcscd through vsmartcard's vpcd reader
 * driver: it connects to vpcd's TCP port as the card ("vicc") and answers
 * vpcd's control messages and APDUs with a VirtualCard. insert() connects and
 * waits until vpcd has taken the card; remove() disconnects, which pcscd sees
 * as the card leaving. Used by the HIL tests and the kiosk's HIL config; it
 * never runs inside a real driver.
 */
import { connect, type Socket } from 'node:net';
import { silentLog, type Log } from '../../src/core/log.js';
import { TypedEmitter } from '../../src/core/events.js';
import { VirtualIsoCard, VirtualNtag, type IsoCardSpec, type VirtualCard } from './virtual-card.js';
import { VPCD_PORT, VpcdDecoder, encodeVpcd } from './vpcd-codec.js';

export interface VpcdCardSimOptions {
  host?: string;
  /** vpcd's port for the slot to use (default 35963, slot 0). */
  port?: number;
  /** How long insert() waits for vpcd to take the card (default 5000 ms). */
  insertTimeoutMs?: number;
  log?: Log;
}

export type VpcdCardSimEvents = {
  /** vpcd dropped the connection (pcscd stopped) or remove() was called. */
  removed: [];
  /** A socket fault; the card counts as removed. */
  error: [err: Error];
};

export class VpcdCardSim extends TypedEmitter<VpcdCardSimEvents> {
  private readonly host: string;
  private readonly port: number;
  private readonly insertTimeoutMs: number;
  private readonly log: Log;
  private socket: Socket | undefined;
  private card: VirtualCard | undefined;
  private powered = false;
  private hold: { held: () => void } | undefined;

  constructor(opts: VpcdCardSimOptions = {}) {
    super();
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? VPCD_PORT;
    this.insertTimeoutMs = opts.insertTimeoutMs ?? 5000;
    this.log = (opts.log ?? silentLog).child({ module: 'card:vpcd-sim' });
  }

  get description(): string {
    return `vpcd card sim → ${this.host}:${this.port}`;
  }

  /** The card in the reader, or the last one (kept after remove() so tests can look at what was written). */
  get current(): VirtualCard | undefined {
    return this.card;
  }

  get inserted(): boolean {
    return this.socket !== undefined;
  }

  /** Whether vpcd has powered the card on. */
  get isPowered(): boolean {
    return this.powered;
  }

  /** Inserts an ISO 7816-4 card with this PIN and files. */
  insertCard(spec: IsoCardSpec): Promise<void> {
    return this.insert(new VirtualIsoCard(spec));
  }

  /** Presents an NTAG holding an NDEF Text record with `text`. */
  insertTag(text: string): Promise<void> {
    return this.insert(new VirtualNtag(text));
  }

  /** Connects `card` to vpcd; resolves once vpcd has polled it (so pcscd will see it). */
  async insert(card: VirtualCard): Promise<void> {
    if (this.socket) await this.remove();
    this.card = card;
    this.powered = false;
    const socket = connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    this.socket = socket;
    const decoder = new VpcdDecoder();
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          socket.destroy();
          if (this.socket === socket) this.socket = undefined;
          reject(err);
        } else resolve();
      };
      const timer = setTimeout(
        () =>
          done(
            new Error(
              `${this.description}: vpcd did not take the card within ${this.insertTimeoutMs} ms; ` +
                'is pcscd running with vpcd (scripts/pcscd-vpcd.sh), and is no other virtual card on this port?',
            ),
          ),
        this.insertTimeoutMs,
      );
      socket.on('data', (chunk: Buffer) => {
        for (const msg of decoder.push(chunk)) {
          this.answer(socket, card, msg);
          done(); // vpcd talks to a card only after accepting it
        }
      });
      socket.on('error', (err) => {
        this.log.debug({ err: err.message }, 'vpcd socket fault');
        const afterInsert = settled;
        done(new Error(`${this.description}: ${err.message}; is pcscd running with vpcd (scripts/pcscd-vpcd.sh)?`));
        if (afterInsert) this.emitError(err);
      });
      socket.on('close', () => {
        done(new Error(`${this.description}: vpcd closed the connection before taking the card`));
        if (this.socket === socket) {
          this.socket = undefined;
          this.powered = false;
          this.emit('removed');
        }
      });
    });
  }

  /** Pulls the card: closes the connection, which vpcd reports to pcscd as removal. */
  async remove(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.hold = undefined;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  /**
   * The next APDU reaches the card but is never answered, as if the card were
   * pulled mid-command. Resolves once that APDU has arrived.
   */
  holdNextCommand(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.hold = { held: resolve };
    });
  }

  /** Every command the current (or last) card saw, one line each; never the PIN. */
  commands(): string[] {
    return [...(this.card?.log ?? [])];
  }

  /** The contents of an EF of the current (or last) ISO card. */
  fileBytes(fileId: number): Buffer | undefined {
    return this.card instanceof VirtualIsoCard ? this.card.file(fileId) : undefined;
  }

  /** The current card's files in GET /sim/state form, or null without a card. */
  files(): Record<string, string> | null {
    return this.socket && this.card instanceof VirtualIsoCard ? this.card.files() : null;
  }

  private answer(socket: Socket, card: VirtualCard, msg: ReturnType<VpcdDecoder['push']>[number]): void {
    switch (msg.kind) {
      case 'control':
        switch (msg.control) {
          case 'get-atr':
            socket.write(encodeVpcd(card.atr));
            return;
          case 'power-on':
            this.powered = true;
            card.reset();
            return;
          case 'power-off':
            this.powered = false;
            card.reset();
            return;
          case 'reset':
            card.reset();
            return;
        }
        return;
      case 'unknown-control':
        this.log.warn({ code: msg.code }, 'unknown vpcd control message');
        return;
      case 'apdu': {
        const hold = this.hold;
        if (hold) {
          this.hold = undefined;
          hold.held();
          return; // never answered: the caller sees the card leave mid-command
        }
        socket.write(encodeVpcd(card.process(msg.apdu)));
        return;
      }
    }
  }
}
