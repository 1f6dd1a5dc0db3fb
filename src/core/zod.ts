import { en } from 'zod/locales';
import { config } from 'zod/mini';

/**
 * zod's functional build, imported everywhere as `import * as z from
 * '…/core/zod.js'` so the bundler keeps only the schemas and checks used.
 * zod's settings are global, so they are made here, once, before any schema of
 * the kiosk parses:
 * - English messages, for issues that carry no message of the kiosk's own (this
 *   build loads no locale by itself; `en` is imported by name: reaching it
 *   through `z.locales` would keep every export of zod);
 * - no JIT: it writes a parser per object schema with new Function() on its
 *   first parse. A config is parsed once per process, so that compiling is pure
 *   cost at start (and V8's code cache cannot keep eval'd code).
 */
config({ ...en(), jitless: true });

export * from 'zod/mini';
