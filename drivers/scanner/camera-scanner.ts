import { systemClock, type Clock } from '../../src/core/clock.js';
import { silentLog, type Log } from '../../src/core/log.js';
import { TypedEmitter } from '../../src/core/events.js';
import { decodeFrame } from './camera.js';
import type { CameraFrame, FrameDecoder } from './camera-frame.js';
import type { ScanRead, Scanner, ScannerEvents } from './contract.js';

/**
 * A camera as a Scanner: whoever captures frames (a capture loop, the sim
 * panel's POST /sim/scan with a PNG) hands them to `submit`; symbols found
 * are emitted as `read`. A camera sees the same label in frame after frame,
 * so a text already read is not emitted again until it has been out of view
 * for `repeatMs`. A bad frame is reported as `error` (when listened to) and
 * in submit's rejection; it never throws out of an event.
 */
export class CameraScanner extends TypedEmitter<ScannerEvents> implements Scanner {
  readonly name: string;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly repeatMs: number;
  private readonly lastSeen = new Map<string, number>();
  private readonly decoder: FrameDecoder | undefined;
  private isOpen = false;

  constructor(opts: { clock?: Clock; log?: Log; name?: string; repeatMs?: number; decoder?: FrameDecoder } = {}) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.log ?? silentLog).child({ mod: 'scanner:camera' });
    this.name = opts.name ?? 'scanner:camera';
    this.repeatMs = opts.repeatMs ?? 2000;
    this.decoder = opts.decoder;
  }

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.isOpen = false;
    this.lastSeen.clear();
  }

  /** Decodes one frame and emits its new reads. Resolves with every read in the frame (repeats included). */
  async submit(frame: CameraFrame): Promise<ScanRead[]> {
    let reads: ScanRead[];
    try {
      reads = await decodeFrame(frame, this.decoder ? { decoder: this.decoder } : {});
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'camera frame rejected');
      if (this.isOpen) this.emitError(e as Error);
      throw e;
    }
    if (!this.isOpen) return reads;
    const now = this.clock.now();
    for (const [text, at] of this.lastSeen) if (now - at > this.repeatMs) this.lastSeen.delete(text);
    for (const r of reads) {
      const fresh = !this.lastSeen.has(r.text);
      this.lastSeen.set(r.text, now);
      if (!fresh) continue;
      try {
        this.emit('read', r);
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'a scanner listener threw');
      }
    }
    return reads;
  }
}
