import type { Sims } from '../../drivers/devices.js';
import { decodePng } from './decode.js';
import { HttpError, readJson, sendJson, type Router } from './http.js';

export interface SimStateSource {
  screen(): { id: string; text: string };
  compartments(): Array<{ id: string; size: string; channel: number }>;
}

const SMALL = 64 * 1024;
const PNG_LIMIT = 16 * 1024 * 1024;

function need<T>(d: T | null, cls: string): T {
  if (d === null) throw new HttpError(404, `this kiosk has no simulated ${cls}`);
  return d;
}

function str(body: Record<string, unknown>, key: string, max = 8192): string {
  const v = body[key];
  if (typeof v !== 'string') throw new HttpError(400, `"${key}" must be a string`);
  if (v.length > max) throw new HttpError(400, `"${key}" is longer than ${max} characters`);
  return v;
}

/** sim-control.md: act as the hardware of a simulated kiosk over HTTP. */
export function addSimRoutes(router: Router, sims: Sims, state: SimStateSource): void {
  router.add('POST', /^\/sim\/keypad$/, async (req, res) => {
    const pad = need(sims.keypad, 'keypad');
    const keys = str(await readJson(req, SMALL), 'keys', 256);
    if (!/^[0-9*#]*$/.test(keys)) throw new HttpError(400, 'keys may only be 0-9, * and #');
    pad.press(keys);
    sendJson(res, 200, { ok: true, screen: state.screen() });
  });

  router.add('POST', /^\/sim\/scan$/, async (req, res) => {
    const scanner = need(sims.scanner, 'scanner');
    const body = await readJson(req, PNG_LIMIT);
    if (typeof body.text === 'string') {
      const text = str(body, 'text');
      scanner.scan(text);
      sendJson(res, 200, { ok: true, reads: [text], screen: state.screen() });
      return;
    }
    if (typeof body.png === 'string') {
      const png = Buffer.from(body.png, 'base64');
      const reads = await decodePng(png);
      if (reads.length === 0) throw new HttpError(422, 'no barcode found in that image');
      for (const r of reads) scanner.scan(r.text, r.symbology);
      sendJson(res, 200, { ok: true, reads: reads.map((r) => r.text), screen: state.screen() });
      return;
    }
    throw new HttpError(400, 'give "text" (a scanner read) or "png" (base64 camera frame)');
  });

  router.add('POST', /^\/sim\/door\/([A-Za-z0-9]+)$/, async (req, res, [id]) => {
    const locks = need(sims.locks, 'lock bank');
    const c = state.compartments().find((x) => x.id === id);
    if (!c) throw new HttpError(404, `no compartment ${id ?? ''}`);
    const body = await readJson(req, SMALL);
    if (typeof body.open !== 'boolean') throw new HttpError(400, '"open" must be true or false');
    if (body.open) locks.openDoor(c.channel);
    else locks.closeDoor(c.channel);
    sendJson(res, 200, { ok: true, screen: state.screen() });
  });

  router.add('POST', /^\/sim\/card$/, async (req, res) => {
    const card = need(sims.card, 'card reader');
    const body = await readJson(req, SMALL);
    if (body.remove === true) {
      card.remove();
    } else if (typeof body.insert === 'object' && body.insert !== null) {
      const ins = body.insert as Record<string, unknown>;
      const pin = str(ins, 'pin', 16);
      const filesIn = ins.files;
      if (typeof filesIn !== 'object' || filesIn === null) throw new HttpError(400, '"insert.files" must be an object of file id → text');
      const files: Record<string, string> = {};
      for (const [k, v] of Object.entries(filesIn as Record<string, unknown>)) {
        if (!/^[0-9A-Fa-f]{4}$/.test(k) || typeof v !== 'string') throw new HttpError(400, `file ${k}: ids are 4 hex digits, contents text`);
        files[k.toUpperCase()] = v;
      }
      try {
        card.insert({ pin, files });
      } catch (e) {
        throw new HttpError(400, (e as Error).message);
      }
    } else {
      throw new HttpError(400, 'give { "insert": { "pin", "files" } } or { "remove": true }');
    }
    sendJson(res, 200, { ok: true, screen: state.screen() });
  });

  router.add('POST', /^\/sim\/tag$/, async (req, res) => {
    const card = need(sims.card, 'card reader');
    const text = str(await readJson(req, SMALL), 'text');
    try {
      card.insertTag(text);
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
    sendJson(res, 200, { ok: true, screen: state.screen() });
  });

  router.add('POST', /^\/sim\/finger$/, async (req, res) => {
    const pad = need(sims.fingerprint, 'fingerprint pad');
    const body = await readJson(req, SMALL);
    if (body.lift === true) pad.liftFinger();
    else if (typeof body.template === 'string') pad.placeFinger(Buffer.from(body.template, 'base64'));
    else throw new HttpError(400, 'give { "template": base64 } or { "lift": true }');
    sendJson(res, 200, { ok: true, screen: state.screen() });
  });

  router.add('POST', /^\/sim\/cash$/, async (req, res) => {
    const cash = need(sims.cash, 'cash acceptor');
    const body = await readJson(req, SMALL);
    const amount = body.amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0 || amount > 10_000_000) {
      throw new HttpError(400, '"amount" must be a whole number of minor units, 1 to 10000000');
    }
    const currency = str(body, 'currency', 3);
    if (!/^[A-Z]{3}$/.test(currency)) throw new HttpError(400, '"currency" must be an ISO 4217 code like JPY');
    const accepted = cash.insert(amount, currency);
    sendJson(res, 200, { ok: true, accepted, screen: state.screen() });
  });

  router.add('GET', /^\/sim\/state$/, (_req, res) => {
    const compartments = state.compartments().map((c) => {
      const s = sims.locks ? sims.locks.snapshot(c.channel) : null;
      return { id: c.id, size: c.size, locked: s?.locked ?? null, doorOpen: s?.doorOpen ?? null, unlockPulses: s?.pulses ?? 0 };
    });
    const files = sims.card?.files() ?? null;
    sendJson(res, 200, { compartments, screen: state.screen(), card: files ? { files } : null });
  });
}
