/**
 * What the /sim routes need of a simulated kiosk's hardware: the simulators'
 * script hooks, described here so ui imports no driver. app.ts hands in the
 * simulators it built (they fit these shapes); null where a class is real or
 * absent.
 */
export interface SimHooks {
  keypad: { press(keys: string): unknown } | null;
  scanner: {
    scan(text: string, symbology?: string | null): void;
    /** Decodes a PNG camera frame and scans every barcode in it; a bad image is refused with its reason. */
    scanFrame(png: Buffer): Promise<{ ok: true; reads: string[] } | { ok: false; reason: string }>;
  } | null;
  locks: {
    openDoor(channel: number): void;
    closeDoor(channel: number): void;
    snapshot(channel: number): { locked: boolean; doorOpen: boolean; itemPresent: boolean | null; pulses: number };
    putItem(channel: number): void;
    takeItem(channel: number): void;
  } | null;
  card: {
    insert(spec: { pin: string; files: Record<string, string> }): unknown;
    insertTag(text: string): unknown;
    remove(): void;
    files(): Record<string, string> | null;
  } | null;
  fingerprint: { placeFinger(template: Buffer): void; liftFinger(): void } | null;
  cash: { insert(amount: number, currency: string): Promise<boolean> } | null;
}
