import { TypedEmitter } from '../events.js';
import type { Scanner, ScannerEvents } from './contract.js';

/** An in-process scanner for the simulated kiosk: `scan(text)` emits one read. */
export class SimScanner extends TypedEmitter<ScannerEvents> implements Scanner {
  readonly name = 'scanner:sim';
  private opened = false;

  async open(): Promise<void> {
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
  }

  scan(text: string, symbology: string | null = null): void {
    if (!this.opened) return;
    this.emit('read', { text, symbology });
  }
}
