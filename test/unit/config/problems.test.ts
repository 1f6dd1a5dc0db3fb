import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { dir, file, load, problems } from './files.js';

describe('loadConfig problems', () => {
  it('lists every problem at once, each with its path and what is allowed', () => {
    let err: ConfigError | undefined;
    const f = file({
      kioskId: 'k1',
      compartments: [
        { id: 'A01', size: 'S', channel: 1 },
        { id: 'A02', size: 'M', channel: 2 },
        { id: 'a3', size: 'L', channel: 3 },
      ],
      devices: { locks: { driver: 'cu61' } },
      attempts: { perParcel: 0 },
    });
    try {
      loadConfig({ configPath: f });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toEqual([
      'compartments[2].id: "a3" must be a letter and two digits, like A03',
      'devices.locks.driver: "cu61" is not one of sim, cu16, cu12, cu48, gpio, modbus',
      'attempts.perParcel: must be a whole number from 1 to 1000, not 0',
    ]);
    expect(err!.message).toBe(
      `${f}: 3 problems\n` +
        '  - compartments[2].id: "a3" must be a letter and two digits, like A03\n' +
        '  - devices.locks.driver: "cu61" is not one of sim, cu16, cu12, cu48, gpio, modbus\n' +
        '  - attempts.perParcel: must be a whole number from 1 to 1000, not 0',
    );
  });

  it('names the config as the caller gave it', () => {
    const f = file({});
    const rel = path.relative(process.cwd(), f);
    expect(() => loadConfig({ configPath: rel })).toThrow(`${rel}: 1 problem\n  - kioskId: is required: 1 to 64 of A-Z a-z 0-9 . _ -`);
  });

  it('catches unknown keys (typos) with a suggestion', () => {
    expect(problems({ kioskId: 'k1', http: { prot: 1 }, attemps: {} })).toEqual([
      'http.prot: unknown key; did you mean "port"? (allowed here: host, port)',
      expect.stringMatching(/^attemps: unknown key; did you mean "attempts"\? \(allowed here: kioskId, dataDir, .*\)$/),
    ]);
    expect(problems({ kioskId: 'k1', devices: { locks: { driver: 'cu16', path: '/dev/x', boards: [0], board: 1 } } })).toEqual([
      expect.stringMatching(/^devices\.locks\.board: unknown key; did you mean "boards"\?/),
    ]);
  });

  it('reports wrong types, ranges, enums and formats in words', () => {
    const p = problems({
      kioskId: 'kiosk 1',
      dataDir: 5,
      log: { level: 'loud' },
      http: { port: 70000 },
      broker: { url: 'http://example.net', embeddedPort: -1 },
      policy: { allowMode0: 'yes', verification: 'sometimes' },
      hold: { defaultDays: 1.5 },
      demo: { parcels: 21 },
    });
    expect(p).toEqual([
      'kioskId: "kiosk 1" must be 1 to 64 of A-Z a-z 0-9 . _ -',
      'dataDir: must be a folder path, not 5',
      'log.level: "loud" is not one of fatal, error, warn, info, debug, trace, silent',
      'http.port: must be a whole number from 0 to 65535, not 70000',
      'broker.url: "http://example.net" must be "embedded" or an mqtt:// or mqtts:// URL, like mqtts://broker.example.net:8883',
      'broker.embeddedPort: must be a whole number from 0 to 65535, not -1',
      'policy.verification: "sometimes" is not one of offline, online, online-then-offline, both',
      'policy.allowMode0: "yes" must be true or false',
      'hold.defaultDays: must be a whole number from 1 to 365, not 1.5',
      'demo.parcels: must be a whole number from 0 to 20, not 21',
    ]);
  });

  it('checks trust entries: ids, hex keys, notAfter', () => {
    const good = 'a'.repeat(64);
    expect(
      problems({
        kioskId: 'k1',
        trust: {
          sellers: { 'bad id': [good], 'shop-a': ['abc', { key: good, notAfter: '2027-02-30T00:00:00Z' }], 'shop-b': good },
          operators: { ops: [{ key: good, extra: 1 }] },
        },
      }),
    ).toEqual([
      'trust.sellers["bad id"]: the name "bad id" must be 1 to 64 of A-Z a-z 0-9 . _ -',
      'trust.sellers.shop-a[0]: "abc" must be 64 hex digits (a 32-byte Ed25519 public key)',
      'trust.sellers.shop-a[1].notAfter: "2027-02-30T00:00:00Z" must be an RFC 3339 time, like 2027-01-01T00:00:00Z',
      `trust.sellers.shop-b: "${good.slice(0, 57)}…" must be a list of public keys (64 hex digits, or { "key", "notAfter" })`,
      'trust.operators.ops[0].extra: unknown key (allowed here: key, notAfter)',
    ]);
  });

  it('reports duplicate compartment ids and channels with both paths', () => {
    expect(
      problems({
        kioskId: 'k1',
        compartments: [
          { id: 'A01', size: 'S', channel: 1 },
          { id: 'A02', size: 'S', channel: 1 },
          { id: 'A01', size: 'Q', channel: 3 },
        ],
      }),
    ).toEqual([
      'compartments[2].size: "Q" is not one of S, M, L',
      'compartments[1].channel: 1 is also used by compartments[0].channel: one lock opens one compartment',
      'compartments[2].id: "A01" is also used by compartments[0].id',
    ]);
  });

  it('requires every compartment channel to be driven by the lock driver', () => {
    const compartments = [
      { id: 'A01', size: 'S', channel: 1 },
      { id: 'A02', size: 'S', channel: 17 },
      { id: 'A03', size: 'S', channel: 33 },
    ];
    expect(
      problems({ kioskId: 'k1', compartments, devices: { locks: { driver: 'cu16', path: '/dev/ttyUSB0', boards: [0, 1] } } }),
    ).toEqual([
      'compartments[2].channel: 33 is beyond the cu16 locks: 2 boards (0, 1) drive channels 1 to 32; add a board to devices.locks.boards',
    ]);
    const relays = [1, 17].map((channel, i) => ({ channel, relayGpio: 10 + i, doorGpio: 20 + i }));
    expect(problems({ kioskId: 'k1', compartments, devices: { locks: { driver: 'gpio', relays } } })).toEqual([
      'compartments[2].channel: 33 has no relay in devices.locks.relays (relays drive channels 1, 17); add one with "channel": 33',
    ]);
    // The simulator drives whatever is configured.
    expect(load({ compartments }).compartments).toHaveLength(3);
  });

  it('checks driver fields: serial paths, boards, relays, keypad layout, nullable devices', () => {
    expect(
      problems({
        kioskId: 'k1',
        devices: {
          keypad: { driver: 'gpio-matrix', rows: [1, 2], cols: [3, 3], layout: ['12', '4A'] },
          scanner: { driver: 'serial', path: '' },
          locks: { driver: 'cu16', path: '/dev/ttyUSB0', boards: [0, 16, 0] },
          fingerprint: { driver: 'r30x' },
          card: { driver: 'nfc' },
          cash: 'sim',
        },
      }),
    ).toEqual([
      'devices.keypad.layout[1]: "4A" has "A": keys must be 0-9, * or #, or a space for no key',
      'devices.keypad.cols: a GPIO line is used twice across rows and cols',
      'devices.scanner.path: "" must be the serial device path, like /dev/ttyUSB0 or /dev/serial/by-id/…',
      'devices.locks.boards[1]: must be a whole number from 0 to 15, not 16',
      'devices.locks.boards[2]: board 0 is listed twice (also at [0])',
      'devices.fingerprint.path: is required: the serial device path, like /dev/ttyUSB0 or /dev/serial/by-id/…',
      'devices.card.driver: "nfc" is not one of sim, pcsc',
      'devices.cash: "sim" must be an object with "driver": one of sim, id003',
    ]);
    expect(
      problems({
        kioskId: 'k1',
        devices: {
          locks: {
            driver: 'gpio',
            pulseMs: 6000,
            relays: [
              { channel: 1, relayGpio: 5, doorGpio: 6, doorOpenValue: 2 },
              { channel: 1, relayGpio: 5, doorGpio: 7 },
            ],
          },
          scanner: { driver: 'hid', vendorId: 70000 },
        },
      }),
    ).toEqual([
      'devices.scanner.vendorId: must be a whole number from 0 to 65535, not 70000',
      'devices.scanner.productId: is required: a whole number from 0 to 65535',
      'devices.locks.pulseMs: must be a whole number from 10 to 5000, not 6000',
      'devices.locks.relays[0].doorOpenValue: must be 0 or 1 (the door input value that means open), not 2',
    ]);
  });

  it('checks relays for shared channels and relay lines once the rest is valid', () => {
    expect(
      problems({
        kioskId: 'k1',
        devices: {
          locks: {
            driver: 'gpio',
            relays: [
              { channel: 1, relayGpio: 5, doorGpio: 6 },
              { channel: 1, relayGpio: 5, doorGpio: 7 },
            ],
          },
        },
      }),
    ).toEqual([
      'devices.locks.relays[1].channel: 1 is also used by relays[0].channel',
      'devices.locks.relays[1].relayGpio: GPIO 5 is also used by relays[0].relayGpio',
    ]);
  });

  it('wants each staff number once across couriers and clerks', () => {
    const pin = { salt: 'AAAAAAAAAAAAAAAAAAAAAA', logN: 14, r: 8, p: 1, hash: 'A'.repeat(43) };
    expect(problems({ kioskId: 'k1', couriers: [{ id: '7001', pin }], clerks: [{ id: '7001', pin }, { id: '8001', pin }] })).toEqual([
      'clerks[0].id: "7001" is also used by couriers[0].id',
    ]);
  });

  it('checks TLS pairs, courier hashes and cross-field limits', () => {
    expect(
      problems({
        kioskId: 'k1',
        broker: { url: 'mqtts://b.example.net', cert: 'kiosk.crt' },
        attempts: { kioskBackoffStartMs: 60_000, kioskBackoffMaxMs: 1000 },
        outbox: { retryStartMs: 5000, retryMaxMs: 1000 },
        couriers: [
          { id: 'c1', pin: { salt: 'AAAAAAAAAAAAAAAAAAAAAA', logN: 18, r: 16, p: 1, hash: 'A'.repeat(43) } },
          { id: 'c1', pin: { salt: 'short', logN: 15, r: 8, p: 2, hash: 'A'.repeat(43) }, pinPlain: '123456' },
        ],
      }),
    ).toEqual([
      'broker.key: cert and key go together: give both (client certificate and its private key) or neither',
      'attempts.kioskBackoffMaxMs: 1000 is below kioskBackoffStartMs (60000): the cap must be at least the start',
      'couriers[0].pin.r: logN 18 with r 16 needs more than 256 MiB: lower one',
      'couriers[1].pin.salt: "short" must be unpadded base64url of 16 bytes',
      'couriers[1].pin.p: must be a whole number from 1 to 1, not 2',
      'couriers[1].pinPlain: unknown key (allowed here: id, pin)',
      'couriers[1].id: "c1" is also used by couriers[0].id',
      'outbox.retryMaxMs: 1000 is below retryStartMs (5000): the cap must be at least the start',
    ]);
  });

  it('refuses a top level that is not an object', () => {
    expect(problems([])).toEqual(['(top level): must be a JSON object, not []']);
  });

  it('reports an unreadable file and bad JSON with line and column', () => {
    const missing = path.join(dir, 'nope.json');
    expect(() => loadConfig({ configPath: missing })).toThrow(
      `${missing}: 1 problem\n  - cannot read the file: no such file (give the right path with --config)`,
    );
    expect(() => loadConfig({ configPath: dir })).toThrow('cannot read the file: it is a folder, not a file');
    expect(problems('{\n  "kioskId": "k1",\n  "http": { "port": }\n}\n')).toEqual([
      "not valid JSON at line 3, column 21: Unexpected token '}'",
    ]);
    expect(problems('{\n  "kioskId": "k1",\n}')).toEqual([
      'not valid JSON at line 3, column 1: Expected double-quoted property name',
    ]);
    expect(problems('{ "kioskId": "k1"')).toEqual([
      expect.stringMatching(/^not valid JSON at line 1, column 18: /),
    ]);
  });

  it('accepts a file that starts with a byte order mark', () => {
    expect(loadConfig({ configPath: file('\ufeff{"kioskId":"k1"}') }).kioskId).toBe('k1');
  });
});
