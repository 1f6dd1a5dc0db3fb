import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/log.js';
import type { Screen } from '../../../src/domain/screens.js';
import { bankLayout } from '../../../src/ui/bank.js';
import { startUi, type UiServer } from '../../../src/ui/server.js';

let ui: UiServer | null = null;
afterEach(async () => {
  await ui?.close();
  ui = null;
});

function fed() {
  let current: Screen = { id: 'idle' };
  const listeners: Array<(s: Screen) => void> = [];
  return {
    get: () => current,
    onChange: (fn: (s: Screen) => void) => void listeners.push(fn),
    set(s: Screen) {
      current = s;
      for (const fn of listeners) fn(s);
    },
  };
}

async function start(keys: string[] = []) {
  const screens = fed();
  ui = await startUi({
    host: '127.0.0.1',
    port: 0,
    kioskId: 'k1',
    screen: screens,
    now: () => 1_000_000,
    settings: { lang: 'ja', timeZone: 'Asia/Tokyo', keypad: true, bankRows: 2 },
    compartments: () => [
      { id: 'A01', size: 'S', channel: 1 },
      { id: 'A02', size: 'M', channel: 2 },
      { id: 'A03', size: 'L', channel: 3 },
    ],
    operator: () => ({ compartments: [], outbox: { pending: 0, recent: [] }, alarms: [], devices: [], link: { connected: false }, service: null, events: [] }),
    keys: (k) => void keys.push(k),
    sims: null,
    log: createLogger({ level: 'silent' }),
  });
  return screens;
}

/** Reads server-sent events until `n` have come. */
async function readEvents(body: ReadableStream<Uint8Array>, n: number): Promise<Array<{ event: string; data: unknown }>> {
  const out: Array<{ event: string; data: unknown }> = [];
  const reader = body.getReader();
  let buf = '';
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += Buffer.from(value).toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (event && data) out.push({ event, data: JSON.parse(data) });
    }
  }
  reader.releaseLock();
  return out;
}

describe('server push for the public page', () => {
  it('sends the kiosk (bank positions only) and the screen on connect, then each new screen', async () => {
    const screens = await start();
    const ac = new AbortController();
    const r = await fetch(new URL('/events', ui!.url), { signal: ac.signal });
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const [kiosk, first] = await readEvents(r.body!, 2);
    expect(kiosk).toEqual({
      event: 'kiosk',
      data: { lang: 'ja', timeZone: 'Asia/Tokyo', keypad: true, bank: { columns: 2, rows: 2, doors: [{ id: 'A01', col: 0, row: 0 }, { id: 'A02', col: 0, row: 1 }, { id: 'A03', col: 1, row: 0 }] } },
    });
    expect(first).toEqual({ event: 'screen', data: { screen: { id: 'idle', params: {} }, now: 1_000_000 } });
    screens.set({ id: 'door-open', compartment: 'A02' });
    const [next] = await readEvents(r.body!, 1);
    expect(next).toEqual({ event: 'screen', data: { screen: { id: 'door-open', params: { compartment: 'A02' } }, now: 1_000_000 } });
    ac.abort();
  });

  it('takes keys typed on the screen, and refuses anything that is not keys', async () => {
    const keys: string[] = [];
    await start(keys);
    const post = (body: unknown) => fetch(new URL('/api/keys', ui!.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ keys: '12#' })).status).toBe(200);
    expect((await post({ keys: '12a' })).status).toBe(400);
    expect((await post({ keys: '' })).status).toBe(400);
    expect((await post({ keys: 5 })).status).toBe(400);
    expect(keys).toEqual(['12#']);
  });

  it('serves the public page in the first language or ?lang, and no /sim on a kiosk with real devices', async () => {
    await start();
    expect(await (await fetch(ui!.url)).text()).toContain('<html lang="ja-JP">');
    expect(await (await fetch(new URL('/?lang=en', ui!.url))).text()).toContain('<html lang="en">');
    expect((await fetch(new URL('/sim', ui!.url))).status).toBe(404);
    expect((await fetch(new URL('/sim/state', ui!.url))).status).toBe(404);
    expect((await fetch(new URL('/operator', ui!.url))).status).toBe(200); // the test talks over loopback
  });
});

describe('the bank map', () => {
  it('lays the bank out column by column', () => {
    expect(bankLayout(['A01', 'A02', 'A03', 'A04', 'A05'], 2)).toEqual({
      columns: 3,
      rows: 2,
      doors: [
        { id: 'A01', col: 0, row: 0 },
        { id: 'A02', col: 0, row: 1 },
        { id: 'A03', col: 1, row: 0 },
        { id: 'A04', col: 1, row: 1 },
        { id: 'A05', col: 2, row: 0 },
      ],
    });
  });
});
