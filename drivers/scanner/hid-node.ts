import { DeviceError } from '../../src/core/errors.js';
import { TypedEmitter } from '../../src/core/events.js';
import type { HidDevice, HidDeviceEvents, HidOpener } from './hid.js';
import { HID_POS_USAGE_PAGE } from './hid-report.js';

/**
 * HID devices through `node-hid` (hidapi). The only file that loads it, and
 * only when a real HID scanner is opened: node-hid is an optional dependency.
 */

/** Which device: vendor and product id, optionally one path when several are plugged in. */
export interface HidSelector {
  vendorId: number;
  productId: number;
  /** hidapi path (e.g. `/dev/hidraw3`) to pick one of several identical scanners. */
  path?: string;
}

/** The slice of node-hid used here, typed locally so the build works without it. */
interface NodeHidInfo {
  vendorId: number;
  productId: number;
  path?: string;
  usagePage?: number;
}
interface NodeHidAsync {
  on(event: 'data', cb: (data: Buffer) => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  removeAllListeners(): unknown;
  close(): Promise<void>;
}
interface NodeHidModule {
  devicesAsync(vid: number, pid: number): Promise<NodeHidInfo[]>;
  HIDAsync: { open(path: string): Promise<NodeHidAsync> };
}

/** Parses `vid:pid` in hex (as lsusb prints it, e.g. `0c2e:0b8f`). Returns null when malformed. */
export function parseVidPid(s: string): HidSelector | null {
  const m = /^\s*(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})\s*$/i.exec(s);
  return m ? { vendorId: parseInt(m[1], 16), productId: parseInt(m[2], 16) } : null;
}

function hex(n: number): string {
  return n.toString(16).padStart(4, '0');
}

let loaded: Promise<NodeHidModule> | null = null;

function nodeHid(): Promise<NodeHidModule> {
  loaded ??= (async () => {
    const specifier = 'node-hid';
    try {
      const mod = (await import(specifier)) as Partial<NodeHidModule> & { default?: Partial<NodeHidModule> };
      const m = typeof mod.devicesAsync === 'function' ? mod : mod.default;
      if (typeof m?.devicesAsync !== 'function' || !m.HIDAsync) throw new Error('node-hid has no devicesAsync/HIDAsync (version 3 or later is needed)');
      return m as NodeHidModule;
    } catch (e) {
      loaded = null;
      throw new DeviceError(
        'missing-module',
        `node-hid could not be loaded (${(e as Error).message}); install it with \`npm install node-hid\` (on Linux building it may need the Debian packages libudev-dev and libusb-1.0-0-dev)`,
        'scanner:hid',
      );
    }
  })();
  return loaded;
}

class NodeHidDevice extends TypedEmitter<HidDeviceEvents> implements HidDevice {
  private closed = false;

  constructor(
    readonly description: string,
    private readonly hid: NodeHidAsync,
  ) {
    super();
    hid.on('data', (data) => {
      if (!this.closed) this.emit('report', data);
    });
    hid.on('error', (err) => {
      if (this.closed) return;
      this.closed = true;
      this.emit('lost', `read failed (${err.message}); unplugged?`);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hid.removeAllListeners();
    this.hid.on('error', () => undefined); // a late native error must not become an uncaught 'error'
    await this.hid.close().catch(() => undefined);
  }
}

/** An opener for HidScanner: finds the scanner's HID POS interface (usage page 0x8C) and opens it. */
export function nodeHidOpener(sel: HidSelector): HidOpener {
  const id = `${hex(sel.vendorId)}:${hex(sel.productId)}`;
  return async () => {
    const hid = await nodeHid();
    let found: NodeHidInfo[];
    try {
      found = await hid.devicesAsync(sel.vendorId, sel.productId);
    } catch (e) {
      // node-hid loads its native library (hidapi, libusb) at the first call, not at import.
      throw new DeviceError(
        'missing-module',
        `node-hid could not list HID devices (${(e as Error).message}); install its libraries (Debian: libusb-1.0-0, libudev1) or reinstall it with \`npm install node-hid\``,
        'scanner:hid',
      );
    }
    const all = found.filter((d) => !sel.path || d.path === sel.path);
    if (all.length === 0) {
      throw new DeviceError('not-found', `no HID device ${id}${sel.path ? ` at ${sel.path}` : ''} is plugged in (check lsusb)`, 'scanner:hid');
    }
    const pos = all.find((d) => d.usagePage === HID_POS_USAGE_PAGE && d.path);
    if (!pos) {
      const pages = [...new Set(all.map((d) => `0x${(d.usagePage ?? 0).toString(16)}`))].join(', ');
      throw new DeviceError(
        'not-found',
        `HID device ${id} has no HID POS interface (usage page 0x8c; it offers ${pages}). A keyboard-wedge scanner cannot be read by node-hid: ` +
          'scan the "USB HID POS" programming code from its manual (or use serial mode)',
        'scanner:hid',
      );
    }
    try {
      return new NodeHidDevice(`HID ${id} ${pos.path!}`, await hid.HIDAsync.open(pos.path!));
    } catch (e) {
      throw new DeviceError(
        'not-found',
        `HID ${id} at ${pos.path!} could not be opened (${(e as Error).message}); check the udev rule gives the kiosk user access to /dev/hidraw*`,
        'scanner:hid',
      );
    }
  };
}
