import * as z from '../core/zod.js';
import { devicesSchema } from './devices.js';
import { LOG_LEVELS, LOG_MODULES, type LogLevel, type LogModule } from '../core/log-modules.js';
import { b64u, bool, hex64, id, int, list, mustBe, nonEmpty, obj, oneOf, rfc3339Time, show, text } from './rules.js';

/**
 * The kiosk's one config file. Every object is strict (an unknown key is an
 * error: a typo must not silently fall back to a default), every number is
 * whole, and every field but `kioskId` has a default. docs/config.md explains
 * each field.
 */

const trustEntrySchema = () =>
  z.union([hex64(), obj({ key: hex64(), notAfter: z.optional(rfc3339Time()) }, 'an object')], {
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
    sellers: z._default(trustMap, {}),
    /** Operator services: they may ack alarms, nothing else (protocol.md). */
    operators: z._default(trustMap, {}),
  });
};

const BROKER_URL_PHRASE = '"embedded" or an mqtt:// or mqtts:// URL, like mqtts://broker.example.net:8883';

export const brokerSchema = () =>
  obj({
    url: z._default(z.string({ error: mustBe(BROKER_URL_PHRASE) }).check(z.refine(brokerUrlOk, { error: mustBe(BROKER_URL_PHRASE) })), 'embedded'),
    embeddedPort: z._default(int(0, 65_535), 0),
    ca: z.optional(nonEmpty('a path to a PEM file')),
    cert: z.optional(nonEmpty('a path to a PEM file')),
    key: z.optional(nonEmpty('a path to a PEM file')),
    username: z.optional(z.string({ error: mustBe('a string') })),
    password: z.optional(z.string({ error: mustBe('a string') })),
    keepaliveSeconds: z._default(int(0, 65_535), 30),
    reconnectMaxMs: z._default(int(1000, 3_600_000), 30_000),
    mqttVersion: z._default(oneOf(['3.1.1', '5']), '3.1.1'),
  }).check(
    z.superRefine((b, ctx) => {
      // A client certificate without its key (or the reverse) cannot be used: say so now, not at connect time.
      if ((b.cert === undefined) !== (b.key === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [b.cert === undefined ? 'cert' : 'key'],
          message: 'cert and key go together: give both (client certificate and its private key) or neither',
        });
      }
    }),
  );

/** A backoff's cap (`cap`) must be at least its first wait (`start`). */
function capAtLeastStart<C extends string, S extends string>(cap: C, start: S) {
  return (o: Record<C | S, number>, ctx: z.core.$RefinementCtx): void => {
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
  }).check(
    z.superRefine((p, ctx) => {
      // Refinements also run when a field only failed its range: judge the memory only for in-range values.
      const inRange = p.logN >= 14 && p.logN <= 18 && p.r >= 1 && p.r <= 16;
      if (inRange && 128 * p.r * 2 ** p.logN > 256 * 1024 * 1024) {
        ctx.addIssue({ code: 'custom', path: ['r'], message: `logN ${p.logN} with r ${p.r} needs more than 256 MiB: lower one` });
      }
    }),
  );

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
      dataDir: z._default(nonEmpty('a folder path'), './data'),
      log: z.prefault(
        obj({
          level: z._default(oneOf(LOG_LEVELS), 'info'),
          // A strict object: a module name that is not one of these is an error naming the key.
          modules: z._default(obj(Object.fromEntries(LOG_MODULES.map((m) => [m, z.optional(oneOf(LOG_LEVELS))])) as Record<LogModule, z.ZodMiniOptional<z.ZodMiniEnum<{ [K in LogLevel]: K }>>>), {}),
        }),
        {},
      ),
      http: z.prefault(
        obj({
          host: z._default(nonEmpty('a host name or address to listen on'), '127.0.0.1'),
          port: z._default(int(0, 65_535), 8080),
        }),
        {},
      ),
      broker: z.prefault(brokerSchema(), {}),
      trust: z.prefault(trustSchema(), {}),
      compartments: z._default(list(compartmentSchema(), 'a list of compartments'), []),
      devices: z.prefault(devicesSchema(), {}),
      policy: z.prefault(
        obj({
          verification: z._default(oneOf(['offline', 'online', 'online-then-offline', 'both']), 'online-then-offline'),
          allowMode0: z._default(bool(), true),
          onlineTimeoutMs: z._default(int(100, 60_000), 4000),
        }),
        {},
      ),
      attempts: z.prefault(
        obj({
          perParcel: z._default(int(1, 1000), 10),
          perParcelOnline: z._default(int(1, 1000), 5),
          parcelFreeFailures: z._default(int(0, 1000), 2),
          parcelWaitStartMs: z._default(int(0, 86_400_000), 10_000),
          parcelWaitMaxMs: z._default(int(0, 86_400_000), 300_000),
          kioskSprayParcels: z._default(int(1, 1_000_000), 3),
          kioskBackoffStartMs: z._default(int(0, 86_400_000), 30_000),
          kioskBackoffMaxMs: z._default(int(0, 86_400_000), 900_000),
          kioskWindowMs: z._default(int(1000, 7 * 86_400_000), 3_600_000),
        }).check(z.superRefine(capAtLeastStart('kioskBackoffMaxMs', 'kioskBackoffStartMs'))),
        {},
      ),
      hold: z.prefault(
        obj({
          defaultDays: z._default(int(1, 365), 7),
          /** How often parcels past their hold are looked for (a handover past its hold is refused at once regardless). */
          sweepMs: z._default(int(1000, 86_400_000), 60_000),
        }),
        {},
      ),
      doors: z.prefault(
        obj({
          openGraceMs: z._default(int(1000, 86_400_000), 30_000),
          closeReminderMs: z._default(int(1000, 86_400_000), 60_000),
          closeTimeoutMs: z._default(int(1000, 86_400_000), 180_000),
          leftOpenAlarmMs: z._default(int(1000, 86_400_000), 120_000),
        }),
        {},
      ),
      couriers: z._default(list(courier, 'a list of couriers'), []),
      /** Staff at a counter: they check parcels in and hand them over across it (same shape as couriers). */
      clerks: z._default(list(courier, 'a list of clerks'), []),
      /** Operators maintaining the kiosk on site: open a compartment, take one out of service (same shape as couriers). */
      operators: z._default(list(courier, 'a list of operators'), []),
      outbox: z.prefault(
        obj({
          retryStartMs: z._default(int(100, 3_600_000), 1000),
          retryMaxMs: z._default(int(1000, 86_400_000), 60_000),
        }).check(z.superRefine(capAtLeastStart('retryMaxMs', 'retryStartMs'))),
        {},
      ),
      demo: z.prefault(obj({ parcels: z._default(int(0, 20), 0) }), {}),
      /** The public screen: first language, time zone for times shown, on-screen keypad, bank map, how long a screen waits for input. */
      screen: z.prefault(
        obj({
          lang: z._default(oneOf(['en', 'ja']), 'en'),
          returnToIdleMs: z._default(int(1000, 3_600_000), 30_000),
          timeZone: z.optional(
            z.string({ error: mustBe('an IANA time zone like Asia/Tokyo') }).check(z.refine(isTimeZone, { error: mustBe('an IANA time zone like Asia/Tokyo') })),
          ),
          keypad: z._default(bool(), false),
          bankRows: z._default(int(1, 64), 4),
        }),
        {},
      ),
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
