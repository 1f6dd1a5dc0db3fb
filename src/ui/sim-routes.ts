import type { SimHooks } from './sim-hooks.js';
import type { Screen } from '../domain/screens.js';
import { readTemplate } from './finger-template.js';
import { HttpError, readJson, sendJson, type Router } from './http.js';
import { toWire } from './live.js';
import { renderScreen, type Lang } from './messages/index.js';

export interface SimStateSource {
  screen(): Screen;
  compartments(): Array<{ id: string; size: string; channel: number }>;
  /** The kiosk's default language: `/sim/state` gives the screen's words in it. */
  lang: Lang;
  timeZone: string;
  now(): number;
  /** Recent happenings in words, for the sim panel's event list. */
  events(): string[];
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
export function addSimRoutes(router: Router, sims: SimHooks, source: SimStateSource): void {
  // sim-control.md: a screen is its id, its params and its words in the default language.
  const state = {
    compartments: () => source.compartments(),
    screen: () => {
      const s = source.screen();
      return { ...toWire(s), text: renderScreen(s, source.lang, { now: source.now(), timeZone: source.timeZone }) };
    },
  };
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
      const scanned = await scanner.scanFrame(png);
      if (!scanned.ok) throw new HttpError(400, `not a usable PNG frame: ${scanned.reason}`);
      if (scanned.reads.length === 0) throw new HttpError(422, 'no barcode found in that image');
      sendJson(res, 200, { ok: true, reads: scanned.reads, screen: state.screen() });
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

  router.add('POST', /^\/sim\/item\/([A-Za-z0-9]+)$/, async (req, res, [id]) => {
    const locks = need(sims.locks, 'lock bank');
    const c = state.compartments().find((x) => x.id === id);
    if (!c) throw new HttpError(404, `no compartment ${id ?? ''}`);
    const body = await readJson(req, SMALL);
    if (typeof body.present !== 'boolean') throw new HttpError(400, '"present" must be true or false');
    if (locks.snapshot(c.channel).itemPresent === null) {
      throw new HttpError(409, `compartment ${c.id} has no item sensor (config: devices.locks { "driver": "sim", "itemSensors": true })`);
    }
    if (body.present) locks.putItem(c.channel);
    else locks.takeItem(c.channel);
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
    else if (typeof body.template === 'string') {
      const t = readTemplate(body.template);
      if (typeof t === 'string') throw new HttpError(400, t);
      pad.placeFinger(t);
    }
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
    const accepted = await cash.insert(amount, currency);
    sendJson(res, 200, { ok: true, accepted, screen: state.screen() });
  });

  router.add('GET', /^\/sim\/state$/, (_req, res) => {
    const compartments = state.compartments().map((c) => {
      const s = sims.locks ? sims.locks.snapshot(c.channel) : null;
      return { id: c.id, size: c.size, locked: s?.locked ?? null, doorOpen: s?.doorOpen ?? null, itemPresent: s?.itemPresent ?? null, unlockPulses: s?.pulses ?? 0 };
    });
    const files = sims.card?.files() ?? null;
    sendJson(res, 200, { compartments, screen: state.screen(), card: files ? { files } : null, events: source.events() });
  });
}
