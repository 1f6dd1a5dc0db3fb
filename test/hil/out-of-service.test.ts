/**
 * Out of service, not out of process, over real transports (config/hil.json):
 * the lock bank's cable is pulled before the kiosk starts. The kiosk starts
 * anyway, out of service as a whole, raises a device-lost alarm and says
 * `degraded` in its retained kiosk.status; when the cable is plugged back it
 * opens the bank, settles the doors and serves again by itself.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startHilRig, type HilRig } from '../../drivers/hil-rig.js';
import { startKiosk, type RunningKiosk } from '../../src/app.js';
import { linkFromConfig } from '../../src/app-link.js';
import { loadConfig, packageRoot } from '../../src/config/index.js';
import type { EmbeddedBroker } from '../../src/link/index.js';
import { tempDir } from '../support/tmp.js';
import { until as waitUntil } from '../support/until.js';

let rig: HilRig | null = null;
let k: RunningKiosk | null = null;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await k?.stop();
  await rig?.stop();
  for (const c of cleanups.splice(0).reverse()) await c();
  k = rig = null;
});

const until = (what: string, ok: () => boolean, ms = 15_000): Promise<void> => waitUntil(what, ok, ms, 20);

interface ApiState {
  service: { whole: boolean; compartments: string[]; devices: Array<{ role: string; up: boolean }> };
}

describe('a device missing at start (config/hil.json)', () => {
  it('keeps the process, goes out of service, alarms, says degraded, and recovers when the device is back', async () => {
    const t = tempDir('pk-oos-');
    cleanups.push(t.cleanup);
    rig = await startHilRig(join(t.dir, 'rig'));
    const config = loadConfig({ configPath: join(packageRoot(), 'config/hil.json'), overrides: { dataDir: join(t.dir, 'data'), httpPort: 0 } });
    const d = config.devices;
    if (d.keypad.driver !== 'serial' || d.scanner.driver !== 'serial' || d.locks.driver !== 'cu16' || d.fingerprint?.driver !== 'r30x') {
      throw new Error('config/hil.json must name real serial drivers');
    }
    d.keypad.path = rig.paths.keypad;
    d.scanner.path = rig.paths.scanner;
    d.locks.path = rig.paths.locks;
    d.fingerprint.path = rig.paths.fingerprint;
    d.card = null; // PC/SC is not what this test is about
    config.broker = { ...config.broker, url: 'embedded', embeddedPort: 0 };

    await rig.unplug('locks');
    let broker: EmbeddedBroker | null = null;
    k = await startKiosk({ config, link: linkFromConfig(config, (b) => (broker = b)) });
    const kiosk = k;
    const state = async (): Promise<ApiState> => (await (await fetch(new URL('/operator/state', kiosk.ui!.url))).json()) as ApiState;

    // Out of service as a whole, the lock bank down, the rest up.
    const s0 = await state();
    expect(s0.service.whole).toBe(true);
    expect(s0.service.devices.find((x) => x.role === 'locks')?.up).toBe(false);
    expect(s0.service.devices.find((x) => x.role === 'keypad')?.up).toBe(true);
    const alarms = (): string[] =>
      (kiosk.store.db.prepare("SELECT payload FROM outbox WHERE topic LIKE '%/alarm' ORDER BY seq").all() as Array<{ payload: Buffer }>).map((r) => {
        const env = JSON.parse(r.payload.toString()) as { body: string };
        return (JSON.parse(Buffer.from(env.body, 'base64url').toString()) as { kind: string }).kind;
      });
    expect(alarms()).toEqual(['device-lost']);

    // The retained status says degraded.
    const statuses: string[] = [];
    const client = mqtt.connect((broker as EmbeddedBroker | null)!.url, { reconnectPeriod: 0 });
    cleanups.push(() => new Promise<void>((r) => client.end(true, {}, () => r())));
    client.on('message', (_t, payload) => {
      const env = JSON.parse(payload.toString()) as { body: string };
      statuses.push((JSON.parse(Buffer.from(env.body, 'base64url').toString()) as { state: string }).state);
    });
    await client.subscribeAsync(`pk/v1/kiosk/${config.kioskId}/status`, { qos: 1 });
    await until('a degraded status', () => statuses.includes('degraded'));

    // Cable back: the supervisor opens the bank, the doors are settled, the kiosk serves again.
    await rig.replug('locks');
    await until('in service again', () => !kiosk.supervisor.service().whole);
    const s1 = await state();
    expect(s1.service.whole).toBe(false);
    expect(s1.service.devices.every((x) => x.up)).toBe(true);
    await until('an online status', () => statuses.at(-1) === 'online');
    expect(alarms()).toEqual(['device-lost', 'device-restored']);
    // The flows started once the bank answered: every lock was commanded locked.
    await until('kiosk.started in the audit log', () => kiosk.store.audit.recent(50).some((a) => a.kind === 'kiosk.started'));
  });
});
