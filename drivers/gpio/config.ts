import type { z } from 'zod';

/**
 * Validates a driver's config, reporting every problem at once, each with its
 * path and what is allowed (the app validates the whole config the same way
 * at start; this guards drivers built directly).
 */
export function parseDriverConfig<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${what}${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`);
  throw new Error(`invalid ${what} config:\n${lines.join('\n')}`);
}
