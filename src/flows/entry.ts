import type { Key } from '../../drivers/keypad/contract.js';

/** A secret or a number being typed on the keypad. */
export interface Entry {
  entered: string;
}

/** What a key did to an entry. */
export type EntryStep =
  /** `#`: here is what was typed (the entry is emptied: a typed code is held no longer than this). */
  | { kind: 'submit'; value: string }
  /** `*` on an empty entry: the person wants out. */
  | { kind: 'cancel' }
  /** A digit added (up to `max`) or `*` cleared what was typed. */
  | { kind: 'typed'; length: number };

/** Applies one key: digits append up to `max`, `*` clears (or cancels when empty), `#` submits. */
export function typeKey(e: Entry, k: Key, max: number): EntryStep {
  if (k === '#') {
    const value = e.entered;
    e.entered = '';
    return { kind: 'submit', value };
  }
  if (k === '*') {
    if (e.entered === '') return { kind: 'cancel' };
    e.entered = '';
  } else if (e.entered.length < max) {
    e.entered += k;
  }
  return { kind: 'typed', length: e.entered.length };
}

/** What the screen shows for a secret being typed: one dot a digit. */
export function dots(n: number): string {
  return '•'.repeat(n);
}
