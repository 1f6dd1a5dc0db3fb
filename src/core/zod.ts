import { en } from 'zod/locales';
import { config } from 'zod/mini';

/**
 * zod's functional build, imported everywhere as `import * as z from
 * '…/core/zod.js'` so the bundler keeps only the schemas and checks used.
 * Unlike the method-chaining build it loads no locale by itself: its English
 * messages, for issues that carry no message of the kiosk's own, are set
 * here, once, before any schema of the kiosk parses. (`en` is imported by
 * name: reaching it through `z.locales` would keep every export of zod.)
 */
config(en());

export * from 'zod/mini';
