import * as z from './zod.js';

/**
 * Small schema builders whose error messages say what is allowed, so a person
 * reading `config check` can fix the file without opening the docs. Each
 * message is written as the tail of "<json path>: <message>".
 *
 * They live in core because every driver writes its own config schema with
 * them (drivers/<class>/*-schema.ts) and src/config composes those schemas.
 */

const MAX_SHOWN = 60;

/** A value as the person wrote it, shortened so one bad blob does not flood the report. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string' && v.length > MAX_SHOWN) return `${JSON.stringify(v.slice(0, MAX_SHOWN - 3)).slice(0, -1)}…"`;
  // Config values come from JSON, so they always stringify; the fallback is for the impossible rest.
  const s = JSON.stringify(v) ?? typeof v;
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s;
}

/** The wording shared by every rule: what was found, what is allowed. */
export function mustBe(phrase: string): (iss: { input?: unknown }) => string {
  return (iss) => {
    if (iss.input === undefined) return `is required: ${phrase}`;
    if (typeof iss.input === 'string') return `${show(iss.input)} must be ${phrase}`;
    return `must be ${phrase}, not ${show(iss.input)}`;
  };
}

/** A whole number in [min, max]. */
export function int(min: number, max: number): z.ZodMiniNumber<number> {
  return z.number({ error: mustBe(`a whole number from ${min} to ${max}`) }).check(z.int(), z.minimum(min), z.maximum(max));
}

export function bool(): z.ZodMiniBoolean<boolean> {
  return z.boolean({ error: mustBe('true or false') });
}

/** A string matching `re`, described by `phrase`. */
export function text(re: RegExp, phrase: string): z.ZodMiniString<string> {
  return z.string({ error: mustBe(phrase) }).check(z.regex(re));
}

export function nonEmpty(phrase: string): z.ZodMiniString<string> {
  return z.string({ error: mustBe(phrase) }).check(z.minLength(1));
}

/** One of a few strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T): z.ZodMiniEnum<{ [K in T[number]]: K }> {
  const list = values.join(', ');
  return z.enum(values, {
    error: (iss) =>
      typeof iss.input === 'string'
        ? `${show(iss.input)} is not one of ${list}`
        : iss.input === undefined
          ? `is required: one of ${list}`
          : `must be one of ${list}, not ${show(iss.input)}`,
  });
}

/**
 * The marker zod hands to the formatter for an unknown key: the allowed keys,
 * joined by ", ". The formatter splits it back to suggest the nearest one.
 */
export const ALLOWED_PREFIX = 'allowed: ';

/** A strict object: a key it does not know is an error (a typo must not pass silently). */
export function obj<S extends z.core.$ZodShape>(shape: S, what = 'an object'): z.ZodMiniObject<S, z.core.$strict> {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') return `${ALLOWED_PREFIX}${allowed}`;
      return mustBe(what)(iss);
    },
  });
}

/** A list of `item`. */
export function list<T extends z.core.SomeType>(item: T, what: string): z.ZodMiniArray<T> {
  return z.array(item, { error: mustBe(what) });
}

/** A serial device path: every driver that names one needs a non-empty string. */
export function serialPath(): z.ZodMiniString<string> {
  return nonEmpty('the serial device path, like /dev/ttyUSB0 or /dev/serial/by-id/…');
}

export function baudRate(): z.ZodMiniNumber<number> {
  return int(110, 4_000_000);
}

/** A GPIO line number. */
export function gpio(): z.ZodMiniNumber<number> {
  return int(0, 65_535);
}

/** Builds the simulator entry every device class has: `{ "driver": "sim" }`. */
export const simSchema = () => obj({ driver: z.literal('sim') });

/** The schema builders of one device class's drivers, by driver name. */
export type DriverBuilders = Readonly<Record<string, () => z.ZodMiniType>>;

/** What a device class's entry parses to: one of its drivers' entries. */
export type DriverOutput<B extends DriverBuilders> = z.output<ReturnType<B[keyof B]>>;

/**
 * The drivers of one device class, chosen by `driver`. A driver's schema is
 * built the first time an entry names that driver, then kept with this
 * schema, so a config pays only for the drivers it uses. An unknown driver is
 * reported at `<path>.driver`, and the message lists this class's drivers in
 * the order given, so adding a driver is adding its builder.
 */
export function driverUnion<const B extends DriverBuilders>(builders: B): z.ZodMiniType<DriverOutput<B>, unknown> {
  const list = Object.keys(builders).join(', ');
  const built = new Map<string, z.ZodMiniType>();
  const schemaOf = (driver: string): z.ZodMiniType => {
    let schema = built.get(driver);
    if (schema === undefined) {
      schema = builders[driver]();
      built.set(driver, schema);
    }
    return schema;
  };
  return z.pipe(
    z.unknown(),
    z.transform((input, payload) => {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        const message = mustBe(`an object with "driver": one of ${list}`)({ input });
        payload.issues.push({ code: 'invalid_type', expected: 'object', input, message });
        return input as DriverOutput<B>;
      }
      const driver = (input as { driver?: unknown }).driver;
      if (typeof driver === 'string' && Object.hasOwn(builders, driver)) {
        // Run as a member of a union would: the issues keep their paths and are finished (worded) with the rest.
        const r = schemaOf(driver)._zod.run({ value: input, issues: [] }, { async: false });
        if (r instanceof Promise) throw new Error('a driver schema must not be async');
        payload.issues.push(...r.issues);
        return r.value as DriverOutput<B>;
      }
      const message =
        driver === undefined
          ? `is required: one of ${list}`
          : typeof driver === 'string'
            ? `${show(driver)} is not one of ${list}`
            : `must be one of ${list}, not ${show(driver)}`;
      payload.issues.push({ code: 'invalid_union', errors: [], note: 'No matching discriminator', discriminator: 'driver', input, path: ['driver'], message });
      return input as DriverOutput<B>;
    }),
  );
}

/**
 * Validates options handed to a driver directly (tests, tools), with the same
 * schema and messages as the config file; throws one error listing every
 * problem. Returns the options with their defaults filled in.
 */
export function parseOptions<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${what}${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`);
  throw new RangeError(`invalid ${what} options:\n${lines.join('\n')}`);
}
