/** Per-module log levels: the config names them, the logger applies them to the children that name their module. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/core/log.js';

function capture(opts: Parameters<typeof createLogger>[0]): { log: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const log = createLogger({ ...opts, destination: { write: (s: string) => void out.push(s) } });
  return { log, lines: () => out.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('per-module log levels', () => {
  it('a named module logs at its own level, the rest at the root level, nested children following their module', () => {
    const { log, lines } = capture({ level: 'warn', modules: { link: 'debug', drivers: 'error', locks: 'info' } });
    const link = log.child({ ns: 'link' }).child({ module: 'link' });
    link.debug('link debug');
    link.child({ ns: 'commands' }).debug('commands debug (follows link)');
    log.child({ ns: 'flows' }).info('flows info (root is warn)');
    log.child({ ns: 'flows' }).warn('flows warn');
    const device = log.child({ ns: 'device', device: 'keypad' });
    device.child({ module: 'keypad:serial' }).warn('keypad warn (drivers is error)');
    device.child({ module: 'locks:cu16' }).info('locks info');
    log.info('root info');
    expect(lines().map((l) => l.msg)).toEqual(['link debug', 'commands debug (follows link)', 'flows warn', 'locks info']);
  });

  it('without modules every child keeps the root level', () => {
    const { log, lines } = capture({ level: 'info' });
    log.child({ ns: 'link' }).debug('no');
    log.child({ ns: 'link' }).info('yes');
    expect(lines().map((l) => l.msg)).toEqual(['yes']);
  });

  it('the config takes known modules and levels, and names a typo', () => {
    const base = { kioskId: 'k1', compartments: [{ id: 'A01', size: 'S', channel: 1 }] };
    const check = (log: unknown): { ok: true; log: unknown } | { ok: false; problems: string } => {
      const r = validateConfig({ ...base, log }, '/tmp');
      return r.ok ? { ok: true, log: r.config.log } : { ok: false, problems: r.problems.join('\n') };
    };
    expect(check({ level: 'warn', modules: { link: 'debug', drivers: 'warn' } })).toEqual({ ok: true, log: { level: 'warn', modules: { link: 'debug', drivers: 'warn' } } });
    expect(check(undefined)).toEqual({ ok: true, log: { level: 'info', modules: {} } });
    const typo = check({ modules: { lnk: 'debug' } });
    expect(typo.ok).toBe(false);
    if (!typo.ok) expect(typo.problems).toMatch(/log\.modules\.lnk: unknown key; did you mean "link"/);
    const level = check({ modules: { link: 'loud' } });
    expect(level.ok).toBe(false);
    if (!level.ok) expect(level.problems).toMatch(/log\.modules\.link: "loud" is not one of/);
  });
});
