import type { Screen } from '../domain/screens.js';

/** The current screen as data, and its changes: what the page and /sim/state follow. */
export interface ScreenFeed {
  get(): Screen;
  onChange(fn: (s: Screen) => void): void;
}
