/** What /sim/finger takes: a 512-byte r30x template in base64, nothing else, and nothing reaches the pad otherwise. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/kiosk.js';

describe('POST /sim/finger', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  it.each([
    ['%%%', /not base64/],
    ['', /0 bytes/],
    [Buffer.alloc(100, 1).toString('base64'), /100 bytes/],
    [`${Buffer.alloc(512, 1).toString('base64')}!!`, /not base64/],
  ])('answers 400 for %j', async (template, reason) => {
    const r = await h.post('/sim/finger', { template });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(reason);
  });

  it('takes a 512-byte template and a lift', async () => {
    expect((await h.post('/sim/finger', { template: Buffer.alloc(512, 1).toString('base64') })).status).toBe(200);
    expect((await h.post('/sim/finger', { lift: true })).status).toBe(200);
  });
});
