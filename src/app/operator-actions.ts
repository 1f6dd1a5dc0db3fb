/**
 * What a remote operator command does at this kiosk (src/link/commands.ts
 * checks who sent it): open a compartment for support, mark compartments or
 * the whole kiosk out of service and back, report diagnostics. Each action
 * writes its own audit row naming the compartment and the reason.
 */
import type { Clock } from '../core/clock.js';
import type { CommandHandler } from '../link/commands.js';
import type { LockBank } from '../../drivers/locks/contract.js';
import type { Store } from '../store/index.js';
import type { DeviceSupervisor } from './supervisor.js';

export interface OperatorActionDeps {
  store: Store;
  locks: LockBank;
  /** Opens a compartment the way the kiosk's operator does (its door opening is expected, not forced). */
  open(compartmentId: string): Promise<void>;
  supervisor: DeviceSupervisor;
  /** Staff say what they found in a compartment set aside for checking (the kiosk's custody decides). */
  markChecked(compartmentId: string, found: 'empty' | 'inside', who: string, reason: string): { ok: boolean; words: string };
  clock: Clock;
  /** Extra facts for diagnostics (link, version, uptime). */
  facts(): Record<string, unknown>;
}

export function operatorActions(d: OperatorActionDeps): CommandHandler {
  return {
    async open(compartmentId, reason, by) {
      const c = d.store.compartments.get(compartmentId);
      if (!c) throw new Error(`no compartment ${compartmentId} at this kiosk`);
      if (!d.supervisor.isUp('locks')) throw new Error('the lock bank is out of service: nothing can be opened');
      await d.open(compartmentId);
      d.store.audit.add('operator.open', d.clock.now(), { compartmentId, detail: `by ${by}: ${reason}` });
      return `compartment ${compartmentId} unlocked`;
    },
    setOutOfService(target, on, reason, by) {
      const known = new Set(d.store.compartments.list().map((c) => c.id));
      const unknown = target.compartments.filter((id) => !known.has(id));
      if (unknown.length) throw new Error(`no compartment ${unknown.join(', ')} at this kiosk`);
      const now = d.supervisor.manualState;
      const set = new Set(now.compartments);
      for (const id of target.compartments) {
        if (on) set.add(id);
        else set.delete(id);
      }
      const whole = target.whole ? on : now.whole;
      d.supervisor.setManual({ whole, compartments: [...set] });
      const what = target.whole ? 'the whole kiosk' : target.compartments.join(', ');
      d.store.audit.add(on ? 'operator.out-of-service' : 'operator.in-service', d.clock.now(), {
        compartmentId: target.compartments.length === 1 ? (target.compartments[0] ?? null) : null,
        detail: `${what} by ${by}: ${reason}`,
      });
      const s = d.supervisor.service();
      return `${on ? 'out of service' : 'back in service'}: ${what}; now out of service: ${s.whole ? 'whole kiosk' : s.compartments.join(', ') || 'nothing'}`;
    },
    markChecked(compartmentId, found, reason, by) {
      // The custody transition writes its own audit row (`compartment.checked`) with the parcel it resolved.
      const r = d.markChecked(compartmentId, found, `remote operator ${by}`, reason);
      if (!r.ok) throw new Error(r.words);
      return r.words;
    },
    diagnostics() {
      const counts = d.store.compartments.counts();
      return {
        ...d.facts(),
        devices: d.supervisor.status(),
        service: d.supervisor.service(),
        compartments: counts,
        outbox: { pending: d.store.outbox.pending() },
      };
    },
  };
}
