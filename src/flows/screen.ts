/** What the kiosk shows: an id tests and the page can follow, and words for a person. */
export type ScreenId =
  | 'idle'
  | 'enter-txn'
  | 'scan-needed'
  | 'not-found'
  | 'enter-code'
  | 'checking'
  | 'denied'
  | 'locked-out'
  | 'wait'
  | 'pay'
  | 'door-open'
  | 'door-not-opened'
  | 'thanks'
  | 'contact-seller'
  | 'refused'
  | 'error'
  | 'courier-id'
  | 'courier-pin'
  | 'courier-scan'
  | 'courier-number'
  | 'courier-size'
  | 'courier-door';

export interface Screen {
  id: ScreenId;
  text: string;
}

export const IDLE_TEXT = 'Scan the barcode from your notification, or type your parcel number and press #.';

/** The current screen, with listeners (the page, the log). */
export class ScreenState {
  private current: Screen = { id: 'idle', text: IDLE_TEXT };
  private listeners: Array<(s: Screen) => void> = [];

  get(): Screen {
    return { ...this.current };
  }

  set(id: ScreenId, text: string): void {
    this.current = { id, text };
    for (const fn of this.listeners) fn(this.get());
  }

  idle(prefix = ''): void {
    this.set('idle', prefix ? `${prefix} ${IDLE_TEXT}` : IDLE_TEXT);
  }

  onChange(fn: (s: Screen) => void): void {
    this.listeners.push(fn);
  }
}
