import type { Db } from './db.js';
import type { Size } from './parcels.js';

/**
 * free → reserved (a load or an unlock in progress) → occupied → free;
 * `check`: something is wrong (a load cancelled with the door left open, a
 * forced door, an unconfirmed unlock) and staff must look before it is used.
 */
export type CompartmentState = 'free' | 'reserved' | 'occupied' | 'check';

export interface Compartment {
  id: string;
  size: Size;
  channel: number;
  state: CompartmentState;
  doorOpen: boolean | null;
  note: string | null;
  updatedAt: number;
}

interface Row {
  id: string;
  size: Size;
  channel: number;
  state: CompartmentState;
  door_open: number | null;
  note: string | null;
  updated_at: number;
}

function fromRow(r: Row): Compartment {
  return {
    id: r.id,
    size: r.size,
    channel: r.channel,
    state: r.state,
    doorOpen: r.door_open === null ? null : r.door_open === 1,
    note: r.note,
    updatedAt: r.updated_at,
  };
}

const SIZES: readonly Size[] = ['S', 'M', 'L'];

export class Compartments {
  private readonly listStmt;
  private readonly getStmt;
  private readonly byChannelStmt;
  private readonly setStateStmt;
  private readonly setDoorStmt;

  constructor(private readonly db: Db) {
    this.listStmt = db.prepare<[], Row>('SELECT * FROM compartments ORDER BY id');
    this.getStmt = db.prepare<[string], Row>('SELECT * FROM compartments WHERE id = ?');
    this.byChannelStmt = db.prepare<[number], Row>('SELECT * FROM compartments WHERE channel = ?');
    this.setStateStmt = db.prepare<[CompartmentState, string | null, number, string]>(
      'UPDATE compartments SET state = ?, note = ?, updated_at = ? WHERE id = ?',
    );
    this.setDoorStmt = db.prepare<[number | null, number, string]>(
      'UPDATE compartments SET door_open = ?, updated_at = ? WHERE id = ?',
    );
  }

  /**
   * Makes the table match the configured compartments: new ones are added
   * free, sizes and channels follow the config. A compartment dropped from the
   * config is removed only when nothing is in it; otherwise it is kept and
   * marked for checking, and the reason returned.
   */
  sync(configured: ReadonlyArray<{ id: string; size: Size; channel: number }>, now: number): string[] {
    const problems: string[] = [];
    this.db.transaction(() => {
      const wanted = new Set(configured.map((c) => c.id));
      for (const c of this.list()) {
        if (wanted.has(c.id)) continue;
        const held = this.db
          .prepare<[string], { n: number }>(
            "SELECT count(*) AS n FROM parcels WHERE compartment_id = ? AND state IN ('loading','stored','unlocking')",
          )
          .get(c.id);
        if ((held?.n ?? 0) > 0) {
          problems.push(`compartment ${c.id} is no longer configured but still holds a parcel`);
          this.db.prepare('UPDATE compartments SET channel = -rowid WHERE id = ?').run(c.id);
          this.setState(c.id, 'check', 'not in the config, still holds a parcel', now);
        } else {
          this.db.prepare('UPDATE parcels SET compartment_id = NULL WHERE compartment_id = ?').run(c.id);
          this.db.prepare('DELETE FROM compartments WHERE id = ?').run(c.id);
        }
      }
      // Free every configured channel first so a swap of channels does not trip UNIQUE.
      const upd = this.db.prepare('UPDATE compartments SET channel = ? WHERE id = ?');
      for (const c of configured) upd.run(-1_000_000 - c.channel, c.id);
      for (const c of configured) {
        this.db
          .prepare(
            `INSERT INTO compartments (id, size, channel, state, door_open, note, updated_at)
             VALUES (?, ?, ?, 'free', NULL, NULL, ?)
             ON CONFLICT(id) DO UPDATE SET size = excluded.size, channel = excluded.channel`,
          )
          .run(c.id, c.size, c.channel, now);
      }
    })();
    return problems;
  }

  list(): Compartment[] {
    return this.listStmt.all().map(fromRow);
  }

  get(id: string): Compartment | null {
    const r = this.getStmt.get(id);
    return r ? fromRow(r) : null;
  }

  byChannel(channel: number): Compartment | null {
    const r = this.byChannelStmt.get(channel);
    return r ? fromRow(r) : null;
  }

  setState(id: string, state: CompartmentState, note: string | null, now: number): void {
    this.setStateStmt.run(state, note, now, id);
  }

  setDoor(id: string, open: boolean | null, now: number): void {
    this.setDoorStmt.run(open === null ? null : open ? 1 : 0, now, id);
  }

  /** A free compartment of `size`, else of the next size up; null when none. */
  findFree(size: Size): Compartment | null {
    const from = SIZES.indexOf(size);
    for (const s of SIZES.slice(from)) {
      const r = this.db
        .prepare<[Size], Row>("SELECT * FROM compartments WHERE state = 'free' AND size = ? ORDER BY id LIMIT 1")
        .get(s);
      if (r) return fromRow(r);
    }
    return null;
  }

  counts(): { free: number; total: number } {
    const r = this.db
      .prepare<[], { free: number; total: number }>(
        "SELECT coalesce(sum(state = 'free'), 0) AS free, count(*) AS total FROM compartments",
      )
      .get();
    return { free: r?.free ?? 0, total: r?.total ?? 0 };
  }
}
