import type { CardInfo, CardReader } from '../../drivers/card/contract.js';
import { CardError } from '../../drivers/card/contract.js';
import type { Key } from '../../drivers/keypad/contract.js';
import type { TimerHandle } from '../clock.js';
import { b64uDecode, checkSlip, isCode } from '../domain/index.js';
import type { FlowContext } from './context.js';
import { SLIP_REASONS } from './courier.js';
import type { Doors } from './doors.js';
import { dots, typeKey } from './entry.js';
import type { Payment } from './payment.js';
import { kioskWaitNow } from './rules.js';
import type { ScreenState } from './screen.js';

/** slip.md: the card's files — the slip text, and where the receipt proof goes back. */
export const EF_SLIP = 0x5331;
export const EF_RECEIPT = 0x5332;

const MAX_CODE = 16;
const INPUT_TIMEOUT_MS = 60_000;

type Step =
  | { step: 'off' }
  | { step: 'code'; kind: 'card' | 'token'; tagSlip: string | null; entered: string }
  | { step: 'busy' };

/**
 * A recipient who brings the slip on an IC card (its PIN is the code, and it
 * gets the receipt proof written back) or on an NFC tag (an NDEF text record
 * holding the slip). The parcel is named by the slip itself, so no number is
 * typed: only the code.
 */
export class Media {
  private s: Step = { step: 'off' };
  private timer: TimerHandle | null = null;

  constructor(
    private readonly ctx: FlowContext,
    private readonly screen: ScreenState,
    private readonly doors: Doors,
    private readonly card: CardReader,
    private readonly payment: Payment,
  ) {}

  get active(): boolean {
    return this.s.step !== 'off';
  }

  reset(): void {
    this.s = { step: 'off' };
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  async onInsert(info: CardInfo): Promise<void> {
    this.reset();
    if (info.kind === 'iso7816') {
      this.s = { step: 'code', kind: 'card', tagSlip: null, entered: '' };
      this.screen.set('enter-code', 'Card read. Type your code and press #. * cancels.');
      this.touch();
      return;
    }
    this.s = { step: 'busy' };
    let text: string;
    try {
      text = await this.card.readNdefText();
    } catch (e) {
      this.reset();
      this.screen.set('refused', `That tag could not be read (${(e as Error).message}). Hold it still on the reader, or use your parcel number.`);
      return;
    }
    if (!text.startsWith('PKS1.')) {
      this.reset();
      this.screen.set('refused', 'That tag holds no parcel slip. Use the barcode from your notification instead.');
      return;
    }
    this.s = { step: 'code', kind: 'token', tagSlip: text, entered: '' };
    this.screen.set('enter-code', 'Tag read. Type your code and press #. * cancels.');
    this.touch();
  }

  onRemove(): void {
    if (this.s.step === 'code' && this.s.kind === 'card') {
      this.reset();
      this.screen.idle('Card removed.');
    }
  }

  onKey(k: Key): void {
    const s = this.s;
    if (s.step !== 'code') return;
    this.touch();
    const step = typeKey(s, k, MAX_CODE);
    switch (step.kind) {
      case 'submit':
        void this.submit(s.kind, s.tagSlip, step.value);
        return;
      case 'cancel':
        this.reset();
        this.screen.idle();
        return;
      case 'typed':
        this.screen.set('enter-code', `Type your code and press #. * clears. ${dots(step.length)}`);
    }
  }

  private async submit(kind: 'card' | 'token', tagSlip: string | null, code: string): Promise<void> {
    const { store, clock, config } = this.ctx;
    const again = (id: 'denied' | 'wait', words: string): void => {
      this.s = { step: 'code', kind, tagSlip, entered: '' };
      this.screen.set(id, words);
      this.touch();
    };
    if (!isCode(code)) return again('denied', 'A code has 6 to 16 digits. Type it again and press #.');
    const wait = kioskWaitNow(this.ctx);
    if (wait > 0) return again('wait', `Too many wrong codes at this kiosk. Please wait ${Math.ceil(wait / 1000)} s before trying again.`);
    this.s = { step: 'busy' };
    this.screen.set('checking', 'Checking your code…');
    const failed = (words: string): void => {
      const at = clock.now();
      store.tx(() => {
        store.attempts.recordKioskFailure(kind, at);
        store.audit.add('code.wrong', at, { detail: kind });
      });
      again('denied', words);
    };

    let slip = tagSlip;
    if (kind === 'card') {
      try {
        await this.card.verifyPin(code); // the one place a code leaves the kiosk's memory: to the card that checks it
        slip = (await this.card.readFile(EF_SLIP)).toString('latin1');
      } catch (e) {
        if (e instanceof CardError && e.code === 'wrong-pin') return failed(`Wrong code. The card allows ${e.triesLeft ?? 0} more ${e.triesLeft === 1 ? 'try' : 'tries'}.`);
        this.reset();
        if (e instanceof CardError && e.code === 'blocked') return this.screen.set('locked-out', 'This card is blocked after too many wrong codes. Please contact the seller.');
        return this.screen.set('refused', `The card could not be read (${(e as Error).message}). Take it out and try again, or use your parcel number.`);
      }
    }
    const r = await checkSlip(slip ?? '', {
      trust: this.ctx.trust,
      allowMode0: config.policy.allowMode0,
      kioskX25519: this.ctx.kioskX25519,
      code,
      now: clock.now(),
    });
    if (!r.ok) {
      if (r.reason === 'wrong-code') return failed('Wrong code. Type it again and press #.');
      this.reset();
      return this.screen.set('refused', `This slip cannot be used here: ${SLIP_REASONS[r.reason]}.`);
    }
    const p = r.txn ? store.parcels.get(r.slip.sellerId, r.txn) : null;
    if (!p || p.state !== 'stored') {
      this.reset();
      return this.screen.set('not-found', 'The parcel on this slip is not waiting here. Please contact the seller.');
    }
    if (p.withdrawn || p.uncollectedAt !== null) {
      this.reset();
      return this.screen.set('contact-seller', 'This parcel is waiting to go back to the seller. Please contact them.');
    }
    this.reset();
    await this.payment.settle(p, { method: kind, salt: r.keys?.salt ?? null, kReceipt: r.keys?.kReceipt ?? null }, r.plaintext?.due ?? null);
    if (kind === 'card' && this.screen.get().id === 'door-open') await this.writeReceipt(p.sellerId, p.txn);
  }

  /** slip.md: EF 5332 gets the handover event id, 0x00, and the 32-byte recipient proof. */
  private async writeReceipt(sellerId: string, txn: string): Promise<void> {
    const h = this.ctx.store.parcels.get(sellerId, txn)?.handover;
    const proof = h?.recipientProof ? b64uDecode(h.recipientProof) : null;
    if (!h || !proof) return;
    try {
      await this.card.updateFile(EF_RECEIPT, Buffer.concat([Buffer.from(h.eventId, 'latin1'), Buffer.from([0]), proof]));
      this.ctx.store.audit.add('card.receipt-written', this.ctx.clock.now(), { sellerId, txn });
    } catch (e) {
      this.ctx.log.warn({ txn, err: (e as Error).message }, 'receipt proof not written to the card (removed too early?)');
    }
  }

  private touch(): void {
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = null;
      if (this.s.step !== 'code') return;
      this.reset();
      this.screen.idle();
    }, INPUT_TIMEOUT_MS);
  }
}
