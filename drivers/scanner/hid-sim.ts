import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import type { HidDevice, HidDeviceEvents, HidOpener } from './hid.js';
import { encodeHidPosReports } from './hid-report.js';

class SimHidDevice extends TypedEmitter<HidDeviceEvents> implements HidDevice {
  readonly description = 'HID sim';
  open = true;

  async close(): Promise<void> {
    this.open = false;
  }

  deliver(report: Uint8Array): void {
    if (this.open) this.emit('report', report);
  }

  lose(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.emit('lost', reason);
  }
}

/**
 * A HID POS scanner in process (the kernel's /dev/uhid is not available
 * everywhere, and needs root). Hooks: `scan(text)` sends the real report bytes
 * a scanner sends for that read, `sendReport(bytes)` sends anything,
 * `unplug()` / `plug()`. `sent` records every report put on the wire.
 */
export class SimHidScanner {
  /** Every report delivered to an open device, oldest first. */
  readonly sent: Buffer[] = [];
  private device: SimHidDevice | null = null;
  private plugged = true;

  /** The opener to give HidScanner. Rejects `not-found` while unplugged. */
  readonly opener: HidOpener = async () => {
    if (!this.plugged) throw new DeviceError('not-found', 'no HID device sim is plugged in', 'scanner:hid');
    if (this.device?.open) throw new DeviceError('busy', 'HID sim is already open', 'scanner:hid');
    this.device = new SimHidDevice();
    return this.device;
  };

  /** A scan: the text (UTF-8) as a scanner sends it, split over as many reports as it needs. */
  scan(text: string, aim: string | null = ']Q1'): void {
    for (const r of encodeHidPosReports(Buffer.from(text, 'utf8'), aim)) this.sendReport(r);
  }

  /** Any report bytes (report ID first): garbage, other report IDs, half reads. */
  sendReport(report: Uint8Array): void {
    if (!this.device?.open) return;
    this.sent.push(Buffer.from(report));
    this.device.deliver(report);
  }

  /** The cable is pulled: the open device reports itself lost and cannot be reopened until `plug()`. */
  unplug(): void {
    this.plugged = false;
    this.device?.lose('read failed (could not read from HID device); unplugged?');
  }

  plug(): void {
    this.plugged = true;
  }

  get isOpen(): boolean {
    return this.device?.open ?? false;
  }
}
