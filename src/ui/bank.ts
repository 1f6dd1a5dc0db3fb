/**
 * Where each door is in the bank, for the small map on the public screen:
 * positions only (no occupancy, nothing about parcels). Doors are laid out
 * in config order, column by column, `rows` doors high.
 */
export interface BankDoor {
  id: string;
  col: number;
  row: number;
}

export interface BankLayout {
  columns: number;
  rows: number;
  doors: BankDoor[];
}

export function bankLayout(ids: readonly string[], rows: number): BankLayout {
  const r = Math.max(1, Math.min(rows, ids.length || 1));
  const doors = ids.map((id, i) => ({ id, col: Math.floor(i / r), row: i % r }));
  return { columns: Math.max(1, Math.ceil(ids.length / r)), rows: r, doors };
}
