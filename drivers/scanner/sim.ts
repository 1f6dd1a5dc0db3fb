import { TypedEmitter } from '../../src/core/events.js';
import type { Scanner, ScannerEvents, ScanRead } from './contract.js';

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

  /**
   * Decodes the barcodes in a PNG camera frame and emits each as a read (the
   * sim panel's "scan a picture"). A frame that is not a usable PNG is refused
   * with its reason, not thrown. The decoder loads on first use only.
   */
  async scanFrame(png: Buffer): Promise<{ ok: true; reads: string[] } | { ok: false; reason: string }> {
    const { decodeFrame, CameraFrameError } = await import('./camera.js');
    let reads: ScanRead[];
    try {
      reads = await decodeFrame(png);
    } catch (e) {
      if (e instanceof CameraFrameError) return { ok: false, reason: e.message };
      throw e;
    }
    for (const r of reads) this.scan(r.text, r.symbology);
    return { ok: true, reads: reads.map((r) => r.text) };
  }
}
