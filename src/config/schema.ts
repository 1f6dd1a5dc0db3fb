import { z } from 'zod';
import { devicesSchema } from './devices.js';
import { LOG_LEVELS, LOG_MODULES, type LogLevel, type LogModule } from '../core/log-modules.js';
import { b64u, bool, hex64, id, int, list, mustBe, nonEmpty, obj, oneOf, rfc3339Time, show, text } from './rules.js';

// zod's JIT writes a parser per object schema with new Function() on its first
// parse. A config is parsed once per process, so that compiling is pure cost at
// start (and V8's code cache cannot keep eval'd code): parse without it.
z.config({ jitless: true });

/**
 * The kiosk's one config file. Every object is strict (an unknown key is an
 * error: a typo must not silently fall back to a default), every number is
 * whole, and every field but `kioskId` has a default. docs/config.md explains
 * each field.
 */

const trustEntrySchema = () =>
  z.union([hex64(), obj({ key: hex64(), notAfter: rfc3339Time().optional() }, 'an object')], {
    error: (iss) =>
      iss.code === 'invalid_union' && typeof iss.input === 'string'
        ? `${show(iss.input)} must be 64 hex digits (a 32-byte Ed25519 public key)`
        : mustBe('64 hex digits, or { "key": <64 hex digits>, "notAfter": <RFC 3339 time> }')(iss),
  });

/** Signer id → its public keys. The shape createTrustStore takes. */
const trustMapSchema = () =>
  z.record(id(), list(trustEntrySchema(), 'a list of public keys (64 hex digits, or { "key", "notAfter" })'), {
    error: mustBe('an object mapping ids to lists of public keys'),
  });

export const trustSchema = () => {
  const trustMap = trustMapSchema();
  return obj({
    sellers: trustMap.default({}),
    /** Operator services: they may ack alarms, nothing else (protocol.md). */
    operators: trustMap.default({}),
  });
};

const BROKER_URL_PHRASE = '"embedded" or an mqtt:// or mqtts:// URL, like mqtts://broker.example.net:8883';

export const brokerSchema = () =>
  obj({
    url: z
      .string({ error: mustBe(BROKER_URL_PHRASE) })
      .refine(brokerUrlOk, { error: mustBe(BROKER_URL_PHRASE) })
      .default('embedded'),
    embeddedPort: int(0, 65_535).default(0),
    ca: nonEmpty('a path to a PEM file').optional(),
    cert: nonEmpty('a path to a PEM file').optional(),
    key: nonEmpty('a path to a PEM file').optional(),
    username: z.string({ error: mustBe('a string') }).optional(),
    password: z.string({ error: mustBe('a string') }).optional(),
    keepaliveSeconds: int(0, 65_535).default(30),
    reconnectMaxMs: int(1000, 3_600_000).default(30_000),
    mqttVersion: oneOf(['3.1.1', '5']).default('3.1.1'),
  }).superRefine((b, ctx) => {
    // A client certificate without its key (or the reverse) cannot be used: say so now, not at connect time.
    if ((b.cert === undefined) !== (b.key === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [b.cert === undefined ? 'cert' : 'key'],
        message: 'cert and key go together: give both (client certificate and its private key) or neither',
      });
    }
  });

/** A backoff's cap (`cap`) must be at least its first wait (`start`). */
function capAtLeastStart<C extends string, S extends string>(cap: C, start: S) {
  return (o: Record<C | S, number>, ctx: z.RefinementCtx): void => {
    if (o[cap] < o[start]) {
      ctx.addIssue({ code: 'custom', path: [cap], message: `${o[cap]} is below ${start} (${o[start]}): the cap must be at least the start` });
    }
  };
}

function isTimeZone(s: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: s });
    return true;
  } catch {
    return false;
  }
}

/** "embedded", or an mqtt:// or mqtts:// URL with a host. */
export function brokerUrlOk(s: string): boolean {
  if (s === 'embedded') return true;
  try {
    const u = new URL(s);
    return (u.protocol === 'mqtt:' || u.protocol === 'mqtts:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export const compartmentSchema = () =>
  obj({
    id: text(/^[A-Z][0-9]{2}$/, 'a letter and two digits, like A03'),
    size: oneOf(['S', 'M', 'L']),
    channel: int(1, 4096),
  });

/** slip.md's scrypt bounds; the PIN hash is checked with the same limits. */
const courierPinSchema = () =>
  obj({
    salt: b64u(16),
    logN: int(14, 18),
    r: int(1, 16),
    p: int(1, 1),
    hash: b64u(32),
  }).superRefine((p, ctx) => {
    // Refinements also run when a field only failed its range: judge the memory only for in-range values.
    const inRange = p.logN >= 14 && p.logN <= 18 && p.r >= 1 && p.r <= 16;
    if (inRange && 128 * p.r * 2 ** p.logN > 256 * 1024 * 1024) {
      ctx.addIssue({ code: 'custom', path: ['r'], message: `logN ${p.logN} with r ${p.r} needs more than 256 MiB: lower one` });
    }
  });

export const courierSchema = () =>
  obj({
    id: id(),
    pin: courierPinSchema(),
  });

/**
 * Builds the whole config's schema. It is built for one check and dropped
 * after, so a running kiosk keeps no schema; driver schemas are built only for
 * the drivers the config names.
 */
export function configSchema() {
  const courier = courierSchema();
  return obj(
    {
      kioskId: id(),
      dataDir: nonEmpty('a folder path').default('./data'),
      log: obj({
        level: oneOf(LOG_LEVELS).default('info'),
        // A strict object: a module name that is not one of these is an error naming the key.
        modules: obj(Object.fromEntries(LOG_MODULES.map((m) => [m, oneOf(LOG_LEVELS).optional()])) as Record<LogModule, z.ZodOptional<z.ZodEnum<{ [K in LogLevel]: K }>>>).default({}),
      }).prefault({}),
      http: obj({
        host: nonEmpty('a host name or address to listen on').default('127.0.0.1'),
        port: int(0, 65_535).default(8080),
      }).prefault({}),
      broker: brokerSchema().prefault({}),
      trust: trustSchema().prefault({}),
      compartments: list(compartmentSchema(), 'a list of compartments').default([]),
      devices: devicesSchema().prefault({}),
      policy: obj({
        verification: oneOf(['offline', 'online', 'online-then-offline', 'both']).default('online-then-offline'),
        allowMode0: bool().default(true),
        onlineTimeoutMs: int(100, 60_000).default(4000),
      }).prefault({}),
      attempts: obj({
        perParcel: int(1, 1000).default(10),
        perParcelOnline: int(1, 1000).default(5),
        parcelFreeFailures: int(0, 1000).default(2),
        parcelWaitStartMs: int(0, 86_400_000).default(10_000),
        parcelWaitMaxMs: int(0, 86_400_000).default(300_000),
        kioskSprayParcels: int(1, 1_000_000).default(3),
        kioskBackoffStartMs: int(0, 86_400_000).default(30_000),
        kioskBackoffMaxMs: int(0, 86_400_000).default(900_000),
        kioskWindowMs: int(1000, 7 * 86_400_000).default(3_600_000),
      })
        .superRefine(capAtLeastStart('kioskBackoffMaxMs', 'kioskBackoffStartMs'))
        .prefault({}),
      hold: obj({
        defaultDays: int(1, 365).default(7),
        /** How often parcels past their hold are looked for (a handover past its hold is refused at once regardless). */
        sweepMs: int(1000, 86_400_000).default(60_000),
      }).prefault({}),
      doors: obj({
        openGraceMs: int(1000, 86_400_000).default(30_000),
        closeReminderMs: int(1000, 86_400_000).default(60_000),
        closeTimeoutMs: int(1000, 86_400_000).default(180_000),
        leftOpenAlarmMs: int(1000, 86_400_000).default(120_000),
      }).prefault({}),
      couriers: list(courier, 'a list of couriers').default([]),
      /** Staff at a counter: they check parcels in and hand them over across it (same shape as couriers). */
      clerks: list(courier, 'a list of clerks').default([]),
      /** Operators maintaining the kiosk on site: open a compartment, take one out of service (same shape as couriers). */
      operators: list(courier, 'a list of operators').default([]),
      outbox: obj({
        retryStartMs: int(100, 3_600_000).default(1000),
        retryMaxMs: int(1000, 86_400_000).default(60_000),
      })
        .superRefine(capAtLeastStart('retryMaxMs', 'retryStartMs'))
        .prefault({}),
      demo: obj({ parcels: int(0, 20).default(0) }).prefault({}),
      /** The public screen: first language, time zone for times shown, on-screen keypad, bank map, how long a screen waits for input. */
      screen: obj({
        lang: oneOf(['en', 'ja']).default('en'),
        returnToIdleMs: int(1000, 3_600_000).default(30_000),
        timeZone: z
          .string({ error: mustBe('an IANA time zone like Asia/Tokyo') })
          .refine(isTimeZone, { error: mustBe('an IANA time zone like Asia/Tokyo') })
          .optional(),
        keypad: bool().default(false),
        bankRows: int(1, 64).default(4),
      }).prefault({}),
    },
    'a JSON object',
  );
}

export type Config = z.output<ReturnType<typeof configSchema>>;
export type LogConfig = Config['log'];
export type HttpConfig = Config['http'];
export type BrokerConfig = z.output<ReturnType<typeof brokerSchema>>;
export type TrustConfig = z.output<ReturnType<typeof trustSchema>>;
export type TrustEntry = z.output<ReturnType<typeof trustEntrySchema>>;
export type CompartmentConfig = z.output<ReturnType<typeof compartmentSchema>>;
export type CompartmentSize = CompartmentConfig['size'];
export type PolicyConfig = Config['policy'];
export type VerificationPolicy = PolicyConfig['verification'];
export type AttemptsConfig = Config['attempts'];
export type HoldConfig = Config['hold'];
export type DoorsConfig = Config['doors'];
export type CourierConfig = z.output<ReturnType<typeof courierSchema>>;
export type CourierPinHash = CourierConfig['pin'];
export type OutboxConfig = Config['outbox'];
export type DemoConfig = Config['demo'];
export type ScreenConfig = Config['screen'];
