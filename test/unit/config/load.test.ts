import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfigPath, hasRealDrivers, isSimulated, loadConfig, validateConfig } from '../../../src/config/index.js';
import { dir, file, load, problems } from './files.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('loadConfig defaults', () => {
  it('fills every default from a file with only a kiosk id', () => {
    const c = load({});
    expect(c).toEqual({
      kioskId: 'k1',
      dataDir: path.join(dir, 'data'),
      log: { level: 'info', modules: {} },
      http: { host: '127.0.0.1', port: 8080 },
      broker: { url: 'embedded', embeddedPort: 0, keepaliveSeconds: 30, reconnectMaxMs: 30_000, mqttVersion: '3.1.1' },
      trust: { sellers: {}, operators: {} },
      compartments: [],
      devices: {
        keypad: { driver: 'sim' },
        scanner: { driver: 'sim' },
        locks: { driver: 'sim', itemSensors: false },
        fingerprint: null,
        card: null,
        cash: null,
      },
      policy: { verification: 'online-then-offline', allowMode0: true, onlineTimeoutMs: 4000 },
      attempts: {
        perParcel: 10,
        perParcelOnline: 5,
        parcelFreeFailures: 2,
        parcelWaitStartMs: 10_000,
        parcelWaitMaxMs: 300_000,
        kioskSprayParcels: 3,
        kioskBackoffStartMs: 30_000,
        kioskBackoffMaxMs: 900_000,
        kioskWindowMs: 3_600_000,
      },
      hold: { defaultDays: 7, sweepMs: 60_000 },
      doors: { openGraceMs: 30_000, closeReminderMs: 60_000, closeTimeoutMs: 180_000, leftOpenAlarmMs: 120_000 },
      couriers: [],
      clerks: [],
      operators: [],
      outbox: { retryStartMs: 1000, retryMaxMs: 60_000 },
      demo: { parcels: 0 },
      screen: { lang: 'en', returnToIdleMs: 30_000, keypad: false, bankRows: 4 },
    });
  });

  it('checks the screen section: language, time zone, bank rows', () => {
    expect(problems({ kioskId: 'k', screen: { lang: 'fr', timeZone: 'Mars/Olympus', bankRows: 0 } })).toEqual([
      'screen.lang: "fr" is not one of en, ja',
      'screen.timeZone: "Mars/Olympus" must be an IANA time zone like Asia/Tokyo',
      'screen.bankRows: must be a whole number from 1 to 64, not 0',
    ]);
  });

  it('fills driver defaults inside a chosen driver', () => {
    const c = load({
      compartments: [{ id: 'A01', size: 'S', channel: 1 }],
      devices: {
        keypad: { driver: 'gpio-matrix', rows: [1, 2, 3, 4], cols: [5, 6, 7] },
        scanner: { driver: 'serial', path: '/dev/ttyACM0' },
        locks: { driver: 'gpio', relays: [{ channel: 1, relayGpio: 20, doorGpio: 21 }] },
        fingerprint: { driver: 'r30x', path: '/dev/ttyS1' },
        card: { driver: 'pcsc' },
        cash: { driver: 'sim' },
      },
    });
    expect(c.devices).toEqual({
      keypad: {
        driver: 'gpio-matrix',
        rows: [1, 2, 3, 4],
        cols: [5, 6, 7],
        layout: ['123', '456', '789', '*0#'],
        activeLow: true,
        debounceMs: 20,
        scanIntervalMs: 5,
      },
      scanner: { driver: 'serial', path: '/dev/ttyACM0', baudRate: 9600 },
      locks: {
        driver: 'gpio',
        pulseMs: 500,
        confirmMs: 2000,
        debounceMs: 30,
        pollMs: 250,
        relays: [{ channel: 1, relayGpio: 20, doorGpio: 21, relayActiveLow: false, doorOpenValue: 1 }],
      },
      fingerprint: { driver: 'r30x', path: '/dev/ttyS1', baudRate: 57600, address: 0xffffffff, password: 0 },
      card: { driver: 'pcsc' },
      cash: { driver: 'sim' },
    });
    const cu16 = load({ devices: { locks: { driver: 'cu16', path: '/dev/ttyUSB0', boards: [0] } } });
    expect(cu16.devices.locks).toEqual({
      driver: 'cu16',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
      boards: [0],
      pollIntervalMs: 40,
      replyTimeoutMs: 200,
      unlockConfirmMs: 1500,
      doorSensor: 'open-high',
    });
    const kp = load({ devices: { keypad: { driver: 'serial', path: '/dev/ttyS0' } } });
    expect(kp.devices.keypad).toEqual({ driver: 'serial', path: '/dev/ttyS0', baudRate: 9600 });
  });

  it('stores seller keys lower-case, keeps notAfter', () => {
    const key = 'AB'.repeat(32);
    const c = load({ trust: { sellers: { 'shop-a': [key, { key, notAfter: '2027-01-01T00:00:00Z' }] } } });
    expect(c.trust.sellers['shop-a']).toEqual(['ab'.repeat(32), { key: 'ab'.repeat(32), notAfter: '2027-01-01T00:00:00Z' }]);
  });
});

describe('paths and overrides', () => {
  it('resolves dataDir and TLS files against the config file folder', () => {
    const c = load({
      dataDir: '../var/kiosk',
      broker: { url: 'mqtts://b.example.net:8883', ca: 'tls/ca.pem', cert: '/etc/k/kiosk.crt', key: 'tls/kiosk.key' },
    });
    expect(c.dataDir).toBe(path.resolve(dir, '../var/kiosk'));
    expect(c.broker.ca).toBe(path.join(dir, 'tls/ca.pem'));
    expect(c.broker.cert).toBe('/etc/k/kiosk.crt');
    expect(c.broker.key).toBe(path.join(dir, 'tls/kiosk.key'));
  });

  it('applies command-line overrides, resolving dataDir against the current directory', () => {
    const a = 'a'.repeat(64);
    const b = 'B'.repeat(64);
    const f = file({ kioskId: 'k1', trust: { sellers: { 'shop-a': [a] } } });
    const c = loadConfig({
      configPath: f,
      overrides: {
        dataDir: 'rel/data',
        kioskId: 'k2',
        httpPort: 0,
        broker: 'mqtt://127.0.0.1:1884',
        trust: [
          { id: 'shop-a', key: b },
          { id: 'shop-c', key: a },
        ],
      },
    });
    expect(c.dataDir).toBe(path.resolve(process.cwd(), 'rel/data'));
    expect(c.kioskId).toBe('k2');
    expect(c.http).toEqual({ host: '127.0.0.1', port: 0 });
    expect(c.broker.url).toBe('mqtt://127.0.0.1:1884');
    expect(c.trust.sellers).toEqual({ 'shop-a': [a, 'b'.repeat(64)], 'shop-c': [a] });
  });

  it('checks overrides like the file', () => {
    expect(() => loadConfig({ configPath: file({ kioskId: 'k1' }), overrides: { httpPort: 70_000, trust: [{ id: 's', key: 'x' }] } }))
      .toThrow(/http\.port: must be a whole number from 0 to 65535, not 70000\n {2}- trust\.sellers\.s\[0\]: "x" must be 64 hex digits/);
  });
});

describe('shipped config files', () => {
  it('finds config/default.json at the package root', () => {
    expect(defaultConfigPath()).toBe(path.join(ROOT, 'config', 'default.json'));
  });

  it('default.json: simulated kiosk with 12 compartments and 3 demo parcels', () => {
    const c = loadConfig({});
    expect(c.kioskId).toBe('kiosk-1');
    expect(c.dataDir).toBe(path.join(ROOT, 'data', 'kiosk-1'));
    expect(c.broker.url).toBe('embedded');
    expect(c.http.port).toBe(8080);
    expect(c.demo.parcels).toBe(3);
    expect(c.trust.sellers).toEqual({});
    expect(c.couriers).toEqual([]);
    expect(c.compartments.map((x) => x.id)).toEqual(Array.from({ length: 12 }, (_, i) => `A${String(i + 1).padStart(2, '0')}`));
    expect(c.compartments.map((x) => x.channel)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(c.compartments.map((x) => x.size).join('')).toBe('SSSSMMMMMLLL');
    expect(hasRealDrivers(c)).toBe(false);
    for (const cls of ['keypad', 'scanner', 'locks', 'fingerprint', 'card', 'cash'] as const) expect(isSimulated(c, cls)).toBe(true);
  });

  it('hardware.example.json: real drivers, TLS broker, a seller key and a hashed courier PIN', () => {
    const c = loadConfig({ configPath: path.join(ROOT, 'config', 'hardware.example.json') });
    expect(hasRealDrivers(c)).toBe(true);
    expect(c.devices.locks).toMatchObject({ driver: 'cu16', path: '/dev/ttyUSB0', boards: [0, 1] });
    expect(c.devices.scanner).toMatchObject({ driver: 'serial', path: '/dev/ttyACM0' });
    expect(c.devices.keypad.driver).toBe('gpio-matrix');
    expect(c.devices.fingerprint).toMatchObject({ driver: 'r30x', path: '/dev/ttyS1' });
    expect(c.devices.card).toEqual({ driver: 'pcsc' });
    expect(c.broker.url.startsWith('mqtts://')).toBe(true);
    expect(c.broker.ca).toBe(path.join(ROOT, 'config', 'tls', 'ca.pem'));
    expect(Object.keys(c.trust.sellers)).toHaveLength(1);
    expect(c.couriers).toHaveLength(1);
    expect(c.couriers[0].pin).toMatchObject({ logN: 15, r: 8, p: 1 });
    expect(isSimulated(c, 'locks')).toBe(false);
    expect(c.devices.cash).toMatchObject({ driver: 'id003', currency: 'JPY', denominations: { '0x61': 1000 } });
    expect(isSimulated(c, 'cash')).toBe(false);
  });
});

describe('validateConfig', () => {
  it('validates parsed JSON without a file', () => {
    const r = validateConfig({ kioskId: 'k1', dataDir: 'd' }, '/base');
    expect(r.ok && r.config.dataDir).toBe('/base/d');
    const bad = validateConfig({ kioskId: 'k1', devices: { locks: { driver: 'sim', path: '/dev/x' } } }, '/base');
    expect(bad).toEqual({ ok: false, problems: ['devices.locks.path: unknown key (allowed here: driver, itemSensors)'] });
  });
});
