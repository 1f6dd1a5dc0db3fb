/**
 * What a web page elsewhere (or DNS rebinding) could do to a simulated kiosk:
 * a cross-origin "simple" POST typing a parcel's number and code must be
 * refused before it reaches a driver, and bodies are capped in size and in
 * number at once.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPLOADS, SMALL_LIMIT, UPLOAD_LIMIT } from '../../src/ui/guard.js';
import { load, startHarness, type Harness } from '../support/kiosk.js';

interface Reply {
  status: number;
  body: string;
}

/** A raw POST with exactly these headers (fetch cannot set Host). */
function rawPost(url: string, path: string, headers: Record<string, string>, body: string | Buffer): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'POST', headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the HTTP guard', () => {
  let h: Harness;
  let host: string;

  beforeAll(async () => {
    h = await startHarness();
    host = new URL(h.k.ui!.url).host;
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('refuses the cross-origin text/plain POSTs that unlocked a door; the same pickup done properly opens it', async () => {
    const box = await load(h, 'T-1', '482913');
    const before = (await h.hands.pulses())[box];
    const evil = { 'content-type': 'text/plain', origin: 'http://evil.example', host: 'evil.example' };
    const attempts: Array<[string, Record<string, string>, string, string]> = [
      ['the attack as seen', evil, '/sim/scan', JSON.stringify({ text: 'shop-a/T-1' })],
      ['the attack as seen', evil, '/sim/keypad', JSON.stringify({ keys: '482913#' })],
      ['rebinding: a foreign Host, JSON', { ...evil, 'content-type': 'application/json' }, '/sim/scan', JSON.stringify({ text: 'shop-a/T-1' })],
      ['a foreign Origin on our Host', { host, origin: 'http://evil.example', 'content-type': 'application/json' }, '/sim/scan', JSON.stringify({ text: 'shop-a/T-1' })],
      ['Origin "null" (a sandboxed page)', { host, origin: 'null', 'content-type': 'application/json' }, '/sim/scan', JSON.stringify({ text: 'shop-a/T-1' })],
      ['text/plain on our Host', { host, 'content-type': 'text/plain' }, '/sim/scan', JSON.stringify({ text: 'shop-a/T-1' })],
      ['a form', { host, 'content-type': 'application/x-www-form-urlencoded' }, '/sim/keypad', 'keys=482913%23'],
      ['cross-site fetch metadata', { host, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, '/sim/scan', JSON.stringify({ text: 'shop-a/T-1' })],
    ];
    for (const [what, headers, path, body] of attempts) {
      const r = await rawPost(h.k.ui!.url, path, headers, body);
      expect([403, 415, 421], `${what}: ${r.body}`).toContain(r.status);
      expect(JSON.parse(r.body)).toHaveProperty('error');
    }
    expect((await h.hands.pulses())[box]).toBe(before);
    expect((await h.hands.screen()).id).toBe('idle');

    // Same-origin JSON, as the page sends it, still drives the kiosk: the guard is what stopped the rest.
    const same = { host, origin: `http://${host}`, 'content-type': 'application/json' };
    expect((await rawPost(h.k.ui!.url, '/sim/scan', same, JSON.stringify({ text: 'shop-a/T-1' }))).status).toBe(200);
    await h.waitScreen('enter-code');
    expect((await rawPost(h.k.ui!.url, '/sim/keypad', same, JSON.stringify({ keys: '482913#' }))).status).toBe(200);
    const end = Date.now() + 10_000;
    while ((await h.hands.pulses())[box] === before && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect((await h.hands.pulses())[box]).toBe(before + 1);
  }, 60_000);

  it('answers 413 for a body over its route limit, before reading it, and 411 without a length', async () => {
    const json = { host, 'content-type': 'application/json' };
    const small = await rawPost(h.k.ui!.url, '/sim/keypad', json, JSON.stringify({ keys: '1'.repeat(SMALL_LIMIT) }));
    expect(small.status).toBe(413);
    // Announced larger than the upload limit: refused on the header alone (only a few bytes are sent).
    const big = await new Promise<Reply>((resolve, reject) => {
      const u = new URL(h.k.ui!.url);
      const req = http.request(
        { host: u.hostname, port: u.port, path: '/sim/scan', method: 'POST', headers: { ...json, 'content-length': String(15_000_000) } },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write('{"png":"');
    });
    expect(big.status).toBe(413);
    expect(big.body).toContain(`${UPLOAD_LIMIT}-byte limit`);
    const u = new URL(h.k.ui!.url);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: '/sim/keypad', method: 'POST', headers: json }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"keys":"1"}');
      req.end();
    });
    expect(chunked).toBe(411);
  });

  it(`handles at most ${MAX_UPLOADS} large uploads at once and says 429 to the rest`, async () => {
    const json = { host, 'content-type': 'application/json' };
    // Valid JSON, not a PNG: each is read in full, then refused as an image (422).
    const body = JSON.stringify({ png: Buffer.alloc(3 * 1024 * 1024, 1).toString('base64') });
    const replies = await Promise.all(Array.from({ length: 8 }, () => rawPost(h.k.ui!.url, '/sim/scan', json, body)));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 429 || (s >= 400 && s < 500 && s !== 413))).toBe(true);
    // Slots are given back: one more upload alone is handled.
    expect((await rawPost(h.k.ui!.url, '/sim/scan', json, body)).status).not.toBe(429);
  }, 30_000);
});
