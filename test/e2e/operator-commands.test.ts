/**
 * Remote operations over PKP1 on a real Mosquitto: signed kiosk.command
 * messages open a compartment, set and clear out of service and ask for
 * diagnostics; each result comes back on the operator topic and lands in the
 * audit log. Unsigned, untrusted, stale and replayed commands are refused and
 * do nothing.
 */
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiosk, type RunningKiosk } from '../../src/app.js';
import { linkFromConfig } from '../../src/app-link.js';
import { loadConfig } from '../../src/config/index.js';
import { rfc3339 } from '../../src/core/clock.js';
import { silentLog } from '../../src/core/log.js';
import { encodeEnvelope, generateEd25519, signEnvelope, uuidv7, type Signer } from '../../src/domain/index.js';
import { Mosquitto } from '../support/mosquitto.js';
import { rawClient, waitFor } from '../support/mqtt.js';
import { tempDir } from '../support/tmp.js';

const operator: Signer = { id: 'ops-1', keys: generateEd25519() };
let mosq: Mosquitto;
let k: RunningKiosk;
let client: MqttClient;
let cleanup: () => void;
const results: Array<Record<string, unknown>> = [];
const KIOSK = 'kiosk-1';

beforeAll(async () => {
  mosq = await Mosquitto.start();
  const t = tempDir('pk-cmd-');
  cleanup = t.cleanup;
  const config = loadConfig({ overrides: { dataDir: join(t.dir, 'data'), httpPort: 0 } });
  config.demo.parcels = 0;
  config.broker = { ...config.broker, url: mosq.url };
  config.trust.operators = { [operator.id]: [operator.keys.publicKey.toString('hex')] };
  k = await startKiosk({ config, log: silentLog, link: linkFromConfig(config) });
  client = await rawClient(mosq.url, { clientId: 'operator-test' });
  client.on('message', (_topic, payload) => {
    const env = JSON.parse(payload.toString()) as { by: string; body: string };
    expect(env.by).toBe(KIOSK);
    results.push(JSON.parse(Buffer.from(env.body, 'base64url').toString()) as Record<string, unknown>);
  });
  await client.subscribeAsync(`pk/v1/kiosk/${KIOSK}/operator`, { qos: 1 });
  await waitFor(() => k.link?.connected === true, 'the kiosk to connect');
});

afterAll(async () => {
  await client?.endAsync();
  await k?.stop();
  await mosq?.close();
  cleanup?.();
});

function command(body: Record<string, unknown>, signer: Signer = operator, at = Date.now()): { id: string; payload: Buffer } {
  const id = uuidv7();
  return { id, payload: encodeEnvelope(signEnvelope({ type: 'kiosk.command', id, at: rfc3339(at), kioskId: KIOSK, ...body }, signer)) };
}

async function send(payload: Buffer | string): Promise<void> {
  await client.publishAsync(`pk/v1/kiosk/${KIOSK}/command`, payload, { qos: 1 });
}

async function resultFor(pred: (r: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  await waitFor(() => results.some(pred), 'a result on the operator topic');
  return results.find(pred)!;
}

const audit = (kind: string) => k.store.audit.recent(200).filter((a) => a.kind === kind);
const pulses = (channel: number) => k.sims!.locks!.pulses(channel);

describe('operator commands over Mosquitto', () => {
  it('opens a compartment for support, audited and answered', async () => {
    const c = command({ action: 'open', compartmentId: 'A01', reason: 'parcel stuck behind the door' });
    await send(c.payload);
    const r = await resultFor((x) => x.commandId === c.id);
    expect(r).toMatchObject({ type: 'kiosk.command.result', ok: true, action: 'open', by: 'ops-1', detail: 'compartment A01 unlocked' });
    expect(pulses(1)).toBe(1);
    expect(audit('operator.open')[0]).toMatchObject({ compartmentId: 'A01', detail: 'by ops-1: parcel stuck behind the door' });
    expect(audit('operator.command').some((a) => a.detail?.includes(c.id))).toBe(true);

    // The same message again is a replay: refused, no second pulse.
    await send(c.payload);
    const again = await resultFor((x) => x.commandId === c.id && x.ok === false);
    expect(again).toMatchObject({ refused: 'replayed' });
    expect(pulses(1)).toBe(1);
  });

  it('sets and clears out of service, for compartments and for the whole kiosk', async () => {
    const set = command({ action: 'set-out-of-service', compartments: ['A02'], reason: 'hinge broken' });
    await send(set.payload);
    expect(await resultFor((x) => x.commandId === set.id)).toMatchObject({ ok: true });
    expect(k.supervisor.service()).toEqual({ whole: false, compartments: ['A02'] });
    const state = (await (await fetch(new URL('/operator/state', k.ui!.url))).json()) as { service: { compartments: string[] } };
    expect(state.service.compartments).toEqual(['A02']);

    const whole = command({ action: 'set-out-of-service', whole: true, reason: 'cleaning' });
    await send(whole.payload);
    await resultFor((x) => x.commandId === whole.id);
    expect(k.supervisor.service().whole).toBe(true);

    const clear = command({ action: 'clear-out-of-service', whole: true, compartments: ['A02'], reason: 'done' });
    await send(clear.payload);
    expect(await resultFor((x) => x.commandId === clear.id)).toMatchObject({ ok: true });
    expect(k.supervisor.service()).toEqual({ whole: false, compartments: [] });
    expect(audit('operator.out-of-service')).toHaveLength(2);
    expect(audit('operator.in-service')).toHaveLength(1);

    const unknown = command({ action: 'set-out-of-service', compartments: ['Z99'], reason: 'typo' });
    await send(unknown.payload);
    expect(await resultFor((x) => x.commandId === unknown.id)).toMatchObject({ ok: false, detail: 'no compartment Z99 at this kiosk' });
  });

  it('answers diagnostics with devices, service and outbox', async () => {
    const c = command({ action: 'diagnostics' });
    await send(c.payload);
    const r = await resultFor((x) => x.commandId === c.id);
    const d = r.diagnostics as { devices: Array<{ role: string; up: boolean }>; outbox: { pending: number }; link: { connected: boolean } };
    expect(d.devices.map((x) => x.role)).toEqual(['keypad', 'scanner', 'locks', 'fingerprint', 'card', 'cash']);
    expect(d.devices.every((x) => x.up)).toBe(true);
    expect(d.link.connected).toBe(true);
    expect(typeof d.outbox.pending).toBe('number');
  });

  it('refuses unsigned, untrusted, badly signed, stale and misaddressed commands, doing nothing', async () => {
    const before = pulses(2);
    const refusedBefore = audit('operator.command.refused').length;
    const id = uuidv7();
    await send(JSON.stringify({ type: 'kiosk.command', id, at: rfc3339(Date.now()), kioskId: KIOSK, action: 'open', compartmentId: 'A02', reason: 'x' }));
    expect(await resultFor((x) => x.refused === 'unsigned')).toMatchObject({ ok: false, action: null });

    const mallory: Signer = { id: 'ops-1', keys: generateEd25519() }; // right name, wrong key
    const m = command({ action: 'open', compartmentId: 'A02', reason: 'x' }, mallory);
    await send(m.payload);
    expect(await resultFor((x) => x.refused === 'untrusted')).toMatchObject({ ok: false, by: 'ops-1' });

    const tampered = JSON.parse(command({ action: 'open', compartmentId: 'A02', reason: 'x' }).payload.toString()) as { body: string };
    tampered.body = Buffer.from(JSON.stringify({ type: 'kiosk.command', id: uuidv7(), at: rfc3339(Date.now()), kioskId: KIOSK, action: 'open', compartmentId: 'A03', reason: 'x' })).toString('base64url');
    await send(JSON.stringify(tampered));
    expect(await resultFor((x) => x.refused === 'bad-signature')).toMatchObject({ ok: false });

    const stale = command({ action: 'open', compartmentId: 'A02', reason: 'x' }, operator, Date.now() - 6 * 60_000);
    await send(stale.payload);
    expect(await resultFor((x) => x.commandId === stale.id)).toMatchObject({ ok: false, refused: 'stale' });

    const other = encodeEnvelope(signEnvelope({ type: 'kiosk.command', id: uuidv7(), at: rfc3339(Date.now()), kioskId: 'kiosk-2', action: 'open', compartmentId: 'A02', reason: 'x' }, operator));
    await send(other);
    expect(await resultFor((x) => x.refused === 'wrong-kiosk')).toMatchObject({ ok: false });

    expect(pulses(2)).toBe(before);
    expect(pulses(3)).toBe(0);
    expect(audit('operator.command.refused').length - refusedBefore).toBe(5);
  });
});
