/**
 * Every unit in systemd/ passes `systemd-analyze verify`, and the service's
 * sandbox scores "OK" (≤ 2.0) in `systemd-analyze security`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import { tempDir } from '../../support/tmp.js';

const dir = join(packageRoot(), 'systemd');
const units = readdirSync(dir).filter((f) => f.endsWith('.service'));
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function verify(path: string): { status: number | null; out: string } {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', path], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

describe('systemd units', () => {
  it('has the units', () => {
    expect(units).toEqual(expect.arrayContaining(['pickup-kiosk.service', 'pickup-kiosk-browser.service']));
  });

  it.each(units)('%s passes systemd-analyze verify without a word', (unit) => {
    expect(verify(join(dir, unit))).toEqual({ status: 0, out: '' });
  });

  it('verify does catch a broken unit (the check can fail)', () => {
    const t = tempDir('pk-unit-');
    cleanups.push(t.cleanup);
    const bad = join(t.dir, 'broken.service');
    writeFileSync(bad, '[Service]\nType=notyfy\nExecStart=/nonexistent/bin\n');
    const r = verify(bad);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/Type|nonexistent/);
  });

  it('the kiosk service is Type=notify with a watchdog and an OK sandbox', () => {
    const text = readFileSync(join(dir, 'pickup-kiosk.service'), 'utf8');
    expect(text).toMatch(/^Type=notify$/m);
    expect(text).toMatch(/^WatchdogSec=10$/m);
    expect(text).toMatch(/^NotifyAccess=main$/m);
    expect(text).toMatch(/^CapabilityBoundingSet=$/m);
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', join(dir, 'pickup-kiosk.service')], { encoding: 'utf8' });
    const m = /Overall exposure level for pickup-kiosk\.service: (\d+\.\d+) (\w+)/.exec(`${r.stdout}${r.stderr}`);
    expect(m, `${r.stdout}${r.stderr}`).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.0);
    expect(m![2]).toBe('OK');
  });
});
