/**
 * GET /metrics on the kiosk's HTTP server: scraped in the Prometheus text
 * format, and the figures move with what happens at the kiosk — a load, a
 * wrong code, a pickup, door events, key derivations, the outbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { load, startHarness, tryCode, type Harness } from '../support/kiosk.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

async function scrape(url: string): Promise<{ type: string; text: string; value: (name: string) => number }> {
  const r = await fetch(new URL('/metrics', url));
  expect(r.status).toBe(200);
  const text = await r.text();
  const value = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no sample ${name} in:\n${text}`);
    return Number(line.slice(name.length + 1));
  };
  return { type: r.headers.get('content-type') ?? '', text, value };
}

describe('GET /metrics', () => {
  it('is scraped and its figures move with pickups, denials, doors, key derivations and the outbox', async () => {
    h = await startHarness();
    const url = h.k.ui!.url;
    const m0 = await scrape(url);
    expect(m0.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(m0.value('kiosk_pickups_total')).toBe(0);
    expect(m0.value('kiosk_denials_total')).toBe(0);
    expect(m0.value('kiosk_lockouts_total')).toBe(0);
    expect(m0.value('kiosk_broker_connected')).toBe(0);
    expect(m0.value('kiosk_key_derivation_seconds_count')).toBe(0);
    expect(m0.value('kiosk_device_up{device="locks"}')).toBe(1);
    expect(m0.value('kiosk_out_of_service{scope="whole"}')).toBe(0);
    expect(m0.text).toMatch(/^kiosk_info\{version="\d+\.\d+\.\d+",config_hash="[0-9a-f]{12}"\} 1$/m);
    expect(m0.text).toMatch(/^kiosk_event_loop_lag_seconds\{quantile="0\.99"\} /m);
    expect(m0.text).toMatch(/^process_resident_memory_bytes /m);

    const cid = await load(h, 'T-MET', '24682468');
    await tryCode(h, 'T-MET', '11111111', 'denied');
    await tryCode(h, 'T-MET', '24682468', 'door-open');
    await h.hands.door(cid, true);
    await h.hands.door(cid, false);
    await h.waitScreen('thanks');

    const m1 = await scrape(url);
    expect(m1.value('kiosk_pickups_total')).toBe(1);
    expect(m1.value('kiosk_denials_total')).toBe(1);
    expect(m1.value('kiosk_door_events_total{event="open"}')).toBe(2); // the courier's load and the pickup
    expect(m1.value('kiosk_door_events_total{event="closed"}')).toBe(2);
    expect(m1.value('kiosk_key_derivation_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(m1.value('kiosk_key_derivation_seconds_sum')).toBeGreaterThan(0);
    // arrived + handed over wait for the seller's ack (no link in this kiosk).
    expect(m1.value('kiosk_outbox_depth')).toBeGreaterThanOrEqual(2);
    expect(m1.value('kiosk_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    // A second scrape without news adds nothing.
    const m2 = await scrape(url);
    expect(m2.value('kiosk_pickups_total')).toBe(1);
    expect(m2.value('kiosk_key_derivation_seconds_count')).toBe(m1.value('kiosk_key_derivation_seconds_count'));
  });
});
