/**
 * The parts of the kiosk whose log level can be set apart (config `log.modules`,
 * docs/config.md). A part's logger is the child that names it; what it logs
 * through its own children follows it unless they are named here too.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_MODULES = [
  /** The seller link (MQTT session, inbound messages, manifests, outbox). */
  'link',
  /** Signed operator commands over the link. */
  'commands',
  /** The embedded MQTT broker. */
  'broker',
  /** The conversations: pickups, loads, screens. */
  'flows',
  /** The device supervisor: devices lost and back, out of service. */
  'devices',
  /** Every device driver; the six below set one kind apart. */
  'drivers',
  'keypad',
  'scanner',
  'locks',
  'fingerprint',
  'card',
  'cash',
  /** systemd notifications and the watchdog. */
  'systemd',
  /** The reference seller (demo and `pickup-kiosk seller`). */
  'seller',
] as const;
export type LogModule = (typeof LOG_MODULES)[number];

export type ModuleLevels = Partial<Record<LogModule, LogLevel>>;

const DRIVER_KINDS = new Set<string>(['keypad', 'scanner', 'locks', 'fingerprint', 'card', 'cash']);
const NAMES = new Set<string>(LOG_MODULES);

/**
 * The modules a logger with these bindings belongs to, most specific first:
 * a driver's own name (`locks:cu16` → locks), then drivers, then the part
 * named by `ns` and `module` (a child's own binding before its parent's).
 */
export function modulesOf(bindings: Record<string, unknown>): LogModule[] {
  const out: string[] = [];
  const names = [bindings.mod, bindings.module, bindings.ns].filter((v): v is string => typeof v === 'string');
  for (const n of names) {
    const kind = n.split(':')[0];
    if (DRIVER_KINDS.has(kind)) out.push(kind, 'drivers');
  }
  if (bindings.ns === 'device') out.push('drivers');
  for (const n of [bindings.ns, bindings.module]) {
    if (typeof n !== 'string') continue;
    out.push(n === 'demo-seller' ? 'seller' : n);
  }
  return out.filter((n): n is LogModule => NAMES.has(n));
}
