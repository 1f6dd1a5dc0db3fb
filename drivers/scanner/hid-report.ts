import type { ScanRead } from './contract.js';

/**
 * HID POS scanner reports (USB HID Point of Sale usage tables, usage page
 * 0x8C "Bar Code Scanner"): the pure codec, bytes <-> reads. Never throws.
 *
 * Input report 2, "scanned data", as node-hid hands it over (report ID first):
 *
 *   [0]      report ID = 2
 *   [1]      number of data bytes in this report (0-56)
 *   [2..4]   AIM symbology identifier, e.g. `]Q1` (zeros when the scanner does not say)
 *   [5..60]  data (56 bytes, padded)
 *   [61..62] vendor bytes (Honeywell: its own code id)
 *   [63]     non-zero when more reports of the same read follow
 *
 * (Without the report ID, as WebHID and the USB spec count: length at 0, AIM
 * at 1-3, data at 4, "more follows" at 62.) A long symbol arrives as several
 * reports which are joined here.
 */

export const HID_POS_USAGE_PAGE = 0x8c;
export const SCANNED_DATA_REPORT_ID = 2;
/** Data bytes per report. */
export const HID_POS_DATA_BYTES = 56;
/** Report length including the report ID byte. */
export const HID_POS_REPORT_BYTES = 64;
const MORE_AT = 63;

/** One scanned-data report, parsed. */
export interface HidPosReport {
  aim: string | null;
  data: Uint8Array;
  more: boolean;
}

const AIM = /^\][A-Za-z][0-9A-Za-z]$/;

function aimFrom(bytes: Uint8Array): string | null {
  const s = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0);
  return AIM.test(s) ? s : null;
}

/**
 * Parses one report (report ID first). Returns null for anything that is not
 * a well-formed scanned-data report: another report ID, too short, or a data
 * length that does not fit.
 */
export function parseHidPosReport(report: Uint8Array): HidPosReport | null {
  if (report.length < 5 || report[0] !== SCANNED_DATA_REPORT_ID) return null;
  const len = report[1];
  if (len > HID_POS_DATA_BYTES || 5 + len > report.length) return null;
  return {
    aim: aimFrom(report.subarray(2, 5)),
    data: report.slice(5, 5 + len),
    more: report.length > MORE_AT && report[MORE_AT] !== 0,
  };
}

/** The reports a HID POS scanner sends for one read (what the simulator puts on its end). */
export function encodeHidPosReports(data: Uint8Array, aim: string | null): Buffer[] {
  const out: Buffer[] = [];
  const aimBytes = aim && AIM.test(aim) ? Buffer.from(aim, 'latin1') : Buffer.alloc(3);
  for (let off = 0; off === 0 || off < data.length; off += HID_POS_DATA_BYTES) {
    const chunk = data.subarray(off, off + HID_POS_DATA_BYTES);
    const r = Buffer.alloc(HID_POS_REPORT_BYTES);
    r[0] = SCANNED_DATA_REPORT_ID;
    r[1] = chunk.length;
    aimBytes.copy(r, 2);
    r.set(chunk, 5);
    r[MORE_AT] = off + HID_POS_DATA_BYTES < data.length ? 1 : 0;
    out.push(r);
  }
  return out;
}

/** Turns a read's bytes into the contract's text: UTF-8, line ending and AIM prefix stripped. */
export function readFromBytes(data: Uint8Array, aim: string | null): ScanRead | null {
  let text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  let symbology = aim;
  // Some scanners are set to put the AIM id into the data instead of the report field.
  const prefix = text.slice(0, 3);
  if (AIM.test(prefix)) {
    symbology ??= prefix;
    if (prefix === symbology) text = text.slice(3);
  }
  text = text.replace(/[\r\n]+$/, '');
  return text.length > 0 ? { text, symbology } : null;
}

/**
 * Joins multi-report reads. Garbage reports are skipped without losing a read
 * in progress; a read whose next part never comes is dropped after `staleMs`;
 * a read that grows past `maxBytes` is dropped whole.
 */
export class HidPosAssembler {
  private parts: Uint8Array[] = [];
  private size = 0;
  private aim: string | null = null;
  private lastAt = 0;
  private overflowed = false;

  constructor(private readonly opts: { staleMs?: number; maxBytes?: number } = {}) {}

  /** Feeds one report received at `now` (ms). Returns a complete read, or null. */
  push(report: Uint8Array, now: number): ScanRead | null {
    const r = parseHidPosReport(report);
    if (!r) return null;
    const staleMs = this.opts.staleMs ?? 250;
    const maxBytes = this.opts.maxBytes ?? 8192;
    const inProgress = this.parts.length > 0 || this.overflowed;
    if (inProgress && (now - this.lastAt > staleMs || r.aim !== this.aim)) this.reset();
    this.lastAt = now;
    this.aim = r.aim;
    if (!this.overflowed) {
      this.parts.push(r.data);
      this.size += r.data.length;
      if (this.size > maxBytes) {
        this.parts = [];
        this.size = 0;
        this.overflowed = true; // skip the rest of this read
      }
    }
    if (r.more) return null;
    const overflowed = this.overflowed;
    const data = Buffer.concat(this.parts);
    const aim = this.aim;
    this.reset();
    return overflowed ? null : readFromBytes(data, aim);
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.aim = null;
    this.overflowed = false;
  }
}
