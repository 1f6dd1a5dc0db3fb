import type { Key } from '../../drivers/keypad/contract.js';
import { checkSlip } from '../domain/index.js';
import type { Screen } from '../domain/screens.js';
import type { Parcel, Size } from '../store/index.js';
import type { FlowContext } from './context.js';
import type { Conversation, Session } from './conversation.js';
import type { Custody } from './custody.js';
import type { DoorNews, Doors } from './doors.js';
import { classifyScan } from './scan-text.js';
import { slipOptions } from './verify.js';

const COURIER_TIMEOUT_MS = 120_000;

interface Load {
  sellerId: string;
  txn: string;
  slip: string | null;
}

type Step =
  | { step: 'ready'; slip: { text: string; sellerId: string } | null }
  | { step: 'size'; load: Load }
  | { step: 'door'; compartmentId: string; size: Size; action: 'load' | 'take-back' }
  | { step: 'busy' };

/**
 * A signed-in courier loading parcels (and taking back those waiting for
 * return): scan a slip and the parcel's number, the kiosk picks and opens a
 * compartment, the courier puts the parcel in and closes the door. `*` on
 * `courier-scan` signs out.
 */
export class CourierConversation implements Conversation {
  readonly kind = 'courier';
  private s: Step = { step: 'ready', slip: null };

  constructor(
    private readonly ctx: FlowContext,
    private readonly session: Session,
    private readonly custody: Custody,
    private readonly doors: Doors,
    private readonly courierId: string,
  ) {
    this.ready({});
  }

  get timeoutMs(): number {
    return Math.max(COURIER_TIMEOUT_MS, this.ctx.config.screen.returnToIdleMs);
  }

  ended(): void {
    this.s = { step: 'busy' };
  }

  private ready(params: { stored?: string }): void {
    this.s = { step: 'ready', slip: null };
    this.session.hold(false);
    const takeBack = this.ctx.store.parcels.inState('stored').filter((p) => p.compartmentId !== null && this.custody.mayReturn(p)).length;
    this.session.show({ id: 'courier-scan', ...params, ...(takeBack > 0 ? { takeBack } : {}) });
  }

  /** A refusal: shown, and the courier goes on scanning from it. */
  private refuse(s: Screen): void {
    this.s = { step: 'ready', slip: null };
    this.session.show(s);
  }

  key(k: Key): void {
    const s = this.s;
    switch (s.step) {
      case 'ready':
        if (k === '*') return this.session.end();
        return;
      case 'size': {
        if (k === '*') return this.ready({});
        const size: Size | null = k === '1' ? 'S' : k === '2' ? 'M' : k === '3' ? 'L' : null;
        if (size) void this.allocate(s.load, size);
        return;
      }
      case 'door':
      case 'busy':
        return;
    }
  }

  scan(text: string): void {
    const s = this.s;
    if (s.step !== 'ready') return;
    const what = classifyScan(text);
    switch (what.kind) {
      case 'slip':
        return void this.scanSlip(text);
      case 'parcel': {
        // `{seller}/{txn}` that names another seller than the slip may be a bare txn holding a `/`.
        const asBare = what.bare !== null && s.slip !== null && what.sellerId !== s.slip.sellerId;
        return asBare ? this.scanNumber(s.slip, null, what.bare as string) : this.scanNumber(s.slip, what.sellerId, what.txn);
      }
      case 'staff':
      case 'junk':
        return this.refuse({ id: 'refused', reason: 'not-slip-or-number' });
    }
  }

  private async scanSlip(text: string): Promise<void> {
    this.s = { step: 'busy' };
    const r = await checkSlip(text, slipOptions(this.ctx));
    if (!this.session.alive) return;
    if (!r.ok) return this.refuse({ id: 'refused', reason: 'slip-invalid', slipReason: r.reason });
    this.s = { step: 'ready', slip: { text, sellerId: r.slip.sellerId } };
    this.session.show({ id: 'courier-number' });
  }

  private scanNumber(slip: { text: string; sellerId: string } | null, sellerId: string | null, txn: string): void {
    const { store } = this.ctx;
    if (slip && sellerId !== null && sellerId !== slip.sellerId) return this.refuse({ id: 'refused', reason: 'seller-mismatch' });
    const seller = slip?.sellerId ?? sellerId;
    const known = store.parcels.byTxn(txn).filter((p) => seller === null || p.sellerId === seller);
    // A parcel waiting here for return: the courier takes it back.
    const back = known.find((p) => p.state === 'stored' && p.compartmentId !== null && this.custody.mayReturn(p));
    if (back && !slip) return void this.takeBack(back);
    const inside = known.find((p) => p.state === 'loading' || p.state === 'stored' || p.state === 'unlocking');
    if (inside) return this.refuse({ id: 'refused', reason: 'already-stored', ...(inside.compartmentId ? { compartment: inside.compartmentId } : {}) });
    if (known.some((p) => p.state === 'handed_over' || p.state === 'returned')) return this.refuse({ id: 'refused', reason: 'already-done' });
    const expected = known.filter((p) => p.state === 'expected');
    if (!slip && expected.length !== 1) return this.refuse({ id: 'refused', reason: expected.length > 1 ? 'scan-slip-first' : 'not-expected' });
    const manifest: Parcel | null = expected[0] ?? null;
    const load: Load = { sellerId: seller ?? expected[0].sellerId, txn, slip: slip?.text ?? null };
    // protocol.md: with neither a verifier nor a slip the kiosk has no salt to prove a code with: nobody could collect it.
    if (!load.slip && !manifest?.verifier && !manifest?.bio) return this.refuse({ id: 'refused', reason: 'no-proof-possible' });
    if (manifest?.size) return void this.allocate(load, manifest.size);
    this.s = { step: 'size', load };
    this.session.show({ id: 'courier-size', txn });
  }

  private async allocate(load: Load, size: Size): Promise<void> {
    const { store, reporter } = this.ctx;
    const c = store.compartments.findFree(size);
    if (!c) {
      store.tx(() => reporter.alarm('storage-full', null, `no free compartment of size ${size} or larger`));
      reporter.queued();
      return this.refuse({ id: 'refused', reason: 'no-free-compartment', size });
    }
    const r = this.custody.startLoad({ ...load, size }, c.id, this.courierId);
    if (!r.ok) return this.refuse({ id: 'refused', reason: 'already-stored' });
    await this.openFor('load', c.id, c.size, load);
  }

  private async takeBack(p: Parcel): Promise<void> {
    const cid = p.compartmentId as string;
    if (!this.custody.startReturn(p, cid, this.courierId).ok) return this.refuse({ id: 'refused', reason: 'already-done' });
    const size = this.ctx.store.compartments.get(cid)?.size ?? 'M';
    await this.openFor('return', cid, size, { sellerId: p.sellerId, txn: p.txn, slip: null });
  }

  private async openFor(purpose: 'load' | 'return', compartmentId: string, size: Size, load: Load): Promise<void> {
    this.s = { step: 'busy' };
    const action = purpose === 'load' ? 'load' : 'take-back';
    try {
      await this.doors.unlockForCourier(purpose, compartmentId, load.sellerId, load.txn);
    } catch (e) {
      const alarm = `compartment ${compartmentId}: ${(e as Error).message}`;
      if (purpose === 'load') this.custody.undoLoad(load, compartmentId, { audit: 'unlock not confirmed', fault: 'unlock not confirmed', alarm });
      else this.custody.undoReturn(load, compartmentId, 'unlock not confirmed');
      if (!this.session.alive) return;
      return this.refuse({ id: 'error', reason: 'door-fault', compartment: compartmentId });
    }
    if (!this.session.alive) return;
    this.s = { step: 'door', compartmentId, size, action };
    this.session.hold(true); // a door screen stays while its door is open
    this.session.show({ id: 'courier-door', compartment: compartmentId, size, action, doorOpen: false });
  }

  door(n: DoorNews): void {
    const s = this.s;
    if (s.step !== 'door' || s.compartmentId !== n.compartmentId) return;
    switch (n.kind) {
      case 'opened':
      case 'load-reminder':
        this.session.show({ id: 'courier-door', compartment: s.compartmentId, size: s.size, action: s.action, doorOpen: true });
        return;
      case 'stored':
        return this.ready({ stored: n.compartmentId });
      case 'returned':
        return this.ready({});
      case 'load-cancelled':
        this.ready({});
        this.session.show({ id: 'error', reason: 'door-fault', compartment: n.compartmentId });
        return;
      case 'load-empty':
        // The item sensor saw the door close on nothing: nothing stored; the courier scans it again.
        this.ready({});
        this.session.show({ id: 'courier-empty', compartment: n.compartmentId });
        return;
      case 'return-still-inside':
        this.ready({});
        this.session.show({ id: 'courier-still-inside', compartment: n.compartmentId });
        return;
      case 'handed-over':
      case 'item-inside':
      case 'not-opened':
      case 'operator-closed':
        return;
    }
  }
}
