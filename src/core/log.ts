import { pino, type Logger, type DestinationStream } from 'pino';
import { modulesOf, type ModuleLevels } from './log-modules.js';

/**
 * The one logger: JSON lines to stdout (journald). Each module takes a child
 * with its namespace; `modules` sets the level of some apart from `level`
 * (src/core/log-modules.ts names them). Codes, PINs, keys and templates must
 * never be passed to a log call; the redaction below is a second line of
 * defence, not the first.
 */
export type Log = Logger;

const REDACT = [
  'code', '*.code', 'pin', '*.pin', 'template', '*.template', 'key', '*.key',
  'secretKey', '*.secretKey', 'privateKey', '*.privateKey', 'proof', '*.proof',
];

export function createLogger(opts: { level?: string; modules?: ModuleLevels; destination?: DestinationStream } = {}): Log {
  const level = opts.level ?? process.env.KIOSK_LOG_LEVEL ?? 'info';
  const modules = opts.modules ?? {};
  const perModule = Object.keys(modules).length > 0;
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT, censor: '[redacted]' },
      // A child naming a module with a level of its own takes that level; other children keep their parent's.
      ...(perModule
        ? {
            onChild: (child: Logger) => {
              for (const m of modulesOf(child.bindings())) {
                const l = modules[m];
                if (l !== undefined) {
                  child.level = l;
                  return;
                }
              }
            },
          }
        : {}),
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that drops everything (library use, tests that do not look at logs). */
export const silentLog: Log = pino({ level: 'silent' });
