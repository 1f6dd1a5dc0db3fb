/** What the staff page shows: every compartment, the outbox, alarms and devices. Never on the public page. */
import type { Store } from '../store/index.js';

export interface DeviceStatus {
  name: string;
  ok: boolean;
  detail: string;
}

export interface OperatorView {
  /**
   * `occupancy` is what the compartment's item sensor sees: `item present`,
   * `empty`, or `no sensor` (none fitted, or its board not answering).
   * `note` says why a compartment is set aside.
   */
  compartments: Array<{ id: string; size: string; state: string; doorOpen: boolean | null; occupancy: Occupancy; note: string | null }>;
  outbox: { pending: number; recent: Array<{ kind: string; createdAt: number; tries: number; acked: boolean }> };
  alarms: Array<{ at: number; kind: string; compartment: string | null; detail: string | null }>;
  devices: DeviceStatus[];
  link: { connected: boolean };
  /** Out of service (the whole kiosk or compartments) and each device's own state, from the device supervisor. */
  service: unknown;
  events: string[];
}

export type Occupancy = 'item present' | 'empty' | 'no sensor';

/** An item sensor reading in the operator's words. */
export function occupancyOf(itemPresent: boolean | null | undefined): Occupancy {
  return itemPresent === true ? 'item present' : itemPresent === false ? 'empty' : 'no sensor';
}

export function operatorView(o: {
  store: Store;
  devices: () => DeviceStatus[];
  connected: () => boolean;
  events: () => string[];
  service?: () => unknown;
  /** Each compartment's item sensor as the kiosk last read it (true inside, false empty, null no sensor). */
  items?: () => ReadonlyMap<string, boolean | null>;
}): OperatorView {
  const { store } = o;
  const rows = store.outbox.all();
  const items = o.items?.() ?? new Map<string, boolean | null>();
  return {
    compartments: store.compartments
      .list()
      .map((c) => ({ id: c.id, size: c.size, state: c.state, doorOpen: c.doorOpen, occupancy: occupancyOf(items.get(c.id)), note: c.note })),
    outbox: {
      pending: store.outbox.pending(),
      recent: rows.slice(-20).reverse().map((r) => ({ kind: r.kind, createdAt: r.createdAt, tries: r.tries, acked: r.ackedAt !== null })),
    },
    alarms: store.audit
      .recent(200)
      .filter((a) => a.kind.startsWith('alarm.'))
      .slice(0, 30)
      .map((a) => ({ at: a.at, kind: a.kind.slice('alarm.'.length), compartment: a.compartmentId, detail: a.detail })),
    devices: o.devices(),
    link: { connected: o.connected() },
    service: o.service?.() ?? null,
    events: o.events(),
  };
}
