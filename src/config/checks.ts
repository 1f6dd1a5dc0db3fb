import type { LocksConfig } from './devices.js';
import type { Problem } from './report.js';

/**
 * Checks that span fields. They read the raw JSON leniently (only the entries
 * that are themselves well formed) so they still run, and still report, when
 * some other part of the file is wrong: every problem at once.
 */
export function crossChecks(raw: unknown, locks: LocksConfig | undefined): Problem[] {
  const out: Problem[] = [];
  const root = isObject(raw) ? raw : {};
  const compartments = Array.isArray(root.compartments) ? (root.compartments as unknown[]) : [];

  const ids = new Map<string, number>();
  const channels = new Map<number, number>();
  compartments.forEach((c, i) => {
    if (!isObject(c)) return;
    if (typeof c.id === 'string' && /^[A-Z][0-9]{2}$/.test(c.id)) {
      const first = ids.get(c.id);
      if (first === undefined) ids.set(c.id, i);
      else out.push({ path: ['compartments', i, 'id'], message: `"${c.id}" is also used by compartments[${first}].id` });
    }
    if (isChannel(c.channel)) {
      const first = channels.get(c.channel);
      if (first === undefined) channels.set(c.channel, i);
      else
        out.push({
          path: ['compartments', i, 'channel'],
          message: `${c.channel} is also used by compartments[${first}].channel: one lock opens one compartment`,
        });
      if (locks) {
        const why = undriven(c.channel, locks);
        if (why) out.push({ path: ['compartments', i, 'channel'], message: why });
      }
    }
  });

  // A staff number names one person: unique across couriers and clerks, who sign in at the same keypad.
  const staffIds = new Map<string, string>();
  for (const list of ['couriers', 'clerks'] as const) {
    const entries = Array.isArray(root[list]) ? (root[list] as unknown[]) : [];
    entries.forEach((c, i) => {
      if (!isObject(c) || typeof c.id !== 'string') return;
      const first = staffIds.get(c.id);
      if (first === undefined) staffIds.set(c.id, `${list}[${i}].id`);
      else out.push({ path: [list, i, 'id'], message: `"${c.id}" is also used by ${first}` });
    });
  }
  return out;
}

/** Why the lock driver cannot open this channel, or null when it can. */
function undriven(channel: number, locks: LocksConfig): string | null {
  switch (locks.driver) {
    case 'sim':
      return null; // The simulator makes a lock for every configured compartment.
    case 'cu16': {
      const max = 16 * locks.boards.length;
      if (channel <= max) return null;
      const n = locks.boards.length;
      return `${channel} is beyond the cu16 locks: ${n} board${n === 1 ? '' : 's'} (${locks.boards.join(', ')}) drive channels 1 to ${max}; add a board to devices.locks.boards`;
    }
    case 'cu12': {
      const max = 12 * locks.boards.length;
      if (channel <= max) return null;
      return `${channel} is beyond the cu12 locks: ${locks.boards.length} board(s) (${locks.boards.join(', ')}) drive channels 1 to ${max}; add a board to devices.locks.boards`;
    }
    case 'cu48': {
      const max = 48 * locks.boards.length;
      if (channel <= max) return null;
      return `${channel} is beyond the cu48 locks: ${locks.boards.length} board(s) (${locks.boards.join(', ')}) drive channels 1 to ${max}; add a board to devices.locks.boards`;
    }
    case 'gpio': {
      if (locks.relays.some((r) => r.channel === channel)) return null;
      const have = locks.relays.map((r) => r.channel).join(', ');
      return `${channel} has no relay in devices.locks.relays (relays drive channels ${have}); add one with "channel": ${channel}`;
    }
    case 'modbus': {
      if (locks.map) return String(channel) in locks.map ? null : `${channel} is not in devices.locks.map (it maps channels ${Object.keys(locks.map).join(', ')}); add "${channel}": { "coil": …, "input": … }`;
      return channel <= locks.channels ? null : `${channel} is beyond the modbus board's ${locks.channels} channels; raise devices.locks.channels or give a map`;
    }
  }
}

function isChannel(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 4096;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
