import type { Key } from '../../drivers/keypad/contract.js';
import type { OperatorAction } from '../domain/screens.js';
import type { FlowContext } from './context.js';
import type { Conversation, Session } from './conversation.js';
import { checkCompartment, setCompartmentService } from './compartment-check.js';
import { compartmentCustody } from './custody.js';
import type { DoorNews, Doors } from './doors.js';

const OPERATOR_TIMEOUT_MS = 120_000;
const MAX_DIGITS = 4;

type Action = OperatorAction;

type Step =
  | { step: 'menu'; digits: string } // the compartment's number in the list, then #
  | { step: 'compartment'; compartment: string } // 1 open, 2 out of service, 3 back in service
  | { step: 'reason'; compartment: string; action: Action; digits: string } // a reason code from the service book, then #
  | { step: 'done'; compartment: string; action: Action }
  | { step: 'busy' };

const ACTIONS: Partial<Record<Key, Action>> = { '1': 'open', '2': 'out-of-service', '3': 'in-service', '4': 'checked-empty', '5': 'checked-inside' };

/**
 * An operator maintaining the kiosk on site: sees every compartment, opens one
 * with a reason (audited), takes one out of service and back. `*` goes back a
 * step; on the menu it signs out.
 */
export class OperatorConversation implements Conversation {
  readonly kind = 'operator';
  private s: Step = { step: 'menu', digits: '' };

  constructor(
    private readonly ctx: FlowContext,
    private readonly session: Session,
    private readonly doors: Doors,
    private readonly operatorId: string,
  ) {
    this.menu();
  }

  get timeoutMs(): number {
    return Math.max(OPERATOR_TIMEOUT_MS, this.ctx.config.screen.returnToIdleMs);
  }

  ended(): void {
    this.s = { step: 'busy' };
  }

  /** Every compartment with its state, door and (where it has a sensor) whether something is inside. */
  private list(): Array<{ id: string; state: ReturnType<typeof compartmentCustody>; doorOpen: boolean | null; item?: boolean }> {
    return this.ctx.store.compartments.list().map((c) => {
      const item = this.doors.itemOf(c.id);
      return { id: c.id, state: compartmentCustody(c), doorOpen: c.doorOpen, ...(item === null ? {} : { item }) };
    });
  }

  private menu(): void {
    this.s = { step: 'menu', digits: '' };
    this.session.hold(false);
    this.session.show({ id: 'operator-menu', compartments: this.list() });
  }

  key(k: Key): void {
    const s = this.s;
    switch (s.step) {
      case 'busy':
        return;
      case 'menu': {
        if (k === '*') return s.digits === '' ? this.session.end() : this.menu();
        if (k !== '#') {
          if (s.digits.length < MAX_DIGITS) s.digits += k;
          return;
        }
        const c = this.list()[Number(s.digits) - 1];
        if (!c) return this.menu();
        this.s = { step: 'compartment', compartment: c.id };
        return this.session.show({ id: 'operator-compartment', compartment: c.id });
      }
      case 'compartment': {
        if (k === '*') return this.menu();
        const action = ACTIONS[k];
        if (!action) return;
        this.s = { step: 'reason', compartment: s.compartment, action, digits: '' };
        return this.session.show({ id: 'operator-reason', compartment: s.compartment, action });
      }
      case 'reason':
        if (k === '*') {
          this.s = { step: 'compartment', compartment: s.compartment };
          return this.session.show({ id: 'operator-compartment', compartment: s.compartment });
        }
        if (k !== '#') {
          if (s.digits.length < MAX_DIGITS) s.digits += k;
          return;
        }
        if (s.digits === '') return;
        return void this.act(s.compartment, s.action, `reason ${s.digits}`);
      case 'done':
        return this.menu();
    }
  }

  scan(): void {
    // Nothing to scan here.
  }

  door(n: DoorNews): void {
    if (n.kind === 'operator-closed' && this.s.step === 'done' && this.s.compartment === n.compartmentId) this.menu();
  }

  private async act(compartment: string, action: Action, reason: string): Promise<void> {
    const { store, clock, log } = this.ctx;
    this.s = { step: 'busy' };
    const who = `operator ${this.operatorId}`;
    if (action === 'open') {
      store.audit.add('operator.open', clock.now(), { compartmentId: compartment, detail: `${who}: ${reason}` });
      try {
        await this.doors.unlockForOperator(compartment);
      } catch (e) {
        log.warn({ compartment, err: (e as Error).message }, 'operator open: unlock not confirmed');
        if (!this.session.alive) return;
        this.s = { step: 'done', compartment, action };
        return this.session.show({ id: 'error', reason: 'door-fault', compartment });
      }
      if (!this.session.alive) return;
      this.session.hold(true);
    } else if (action === 'checked-empty' || action === 'checked-inside') {
      const found = action === 'checked-empty' ? 'empty' : 'inside';
      // Not while a door is in use there, nor against what the item sensor reads.
      const r = this.doors.isBusy(compartment) || this.doors.sensorDisagrees(compartment, found)
        ? ({ ok: false } as const)
        : checkCompartment(this.ctx, compartment, found, who, reason);
      if (!r.ok) {
        this.s = { step: 'done', compartment, action };
        return this.session.show({ id: 'refused', reason: 'cannot-mark', compartment });
      }
    } else {
      const r = setCompartmentService(this.ctx, compartment, action === 'out-of-service', who, reason);
      if (!r.ok) {
        this.s = { step: 'done', compartment, action };
        const why = r.refused === 'compartment' && r.state === 'check-inside' ? 'say-what-found' : 'compartment-busy';
        return this.session.show({ id: 'refused', reason: why, compartment });
      }
    }
    this.s = { step: 'done', compartment, action };
    this.session.show({ id: 'operator-done', compartment, action });
  }
}
