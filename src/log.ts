import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * The one logger: JSON lines to stdout (journald). Each module takes a child
 * with its namespace. Codes, PINs, keys and templates must never be passed to
 * a log call; the redaction below is a second line of defence, not the first.
 */
export type Log = Logger;

const REDACT = [
  'code', '*.code', 'pin', '*.pin', 'template', '*.template', 'key', '*.key',
  'secretKey', '*.secretKey', 'privateKey', '*.privateKey', 'proof', '*.proof',
];

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Log {
  const level = opts.level ?? process.env.KIOSK_LOG_LEVEL ?? 'info';
  return pino(
    { level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that drops everything (library use, tests that do not look at logs). */
export const silentLog: Log = pino({ level: 'silent' });
