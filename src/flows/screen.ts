import type { Screen } from '../domain/screens.js';

export type { Screen, ScreenId } from '../domain/screens.js';

/** The idle screen. It carries nothing: never the last person's outcome. */
export const IDLE: Screen = { id: 'idle' };

/** The current screen, as data, with listeners (the page, the log). */
export class ScreenState {
  private current: Screen = IDLE;
  private listeners: Array<(s: Screen) => void> = [];

  get(): Screen {
    return { ...this.current };
  }

  set(s: Screen): void {
    this.current = s;
    for (const fn of this.listeners) fn(this.get());
  }

  /** Adds a listener; answers the function that removes it. */
  onChange(fn: (s: Screen) => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== fn);
    };
  }
}
