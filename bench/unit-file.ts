/**
 * How systemd/pickup-kiosk.service starts the kiosk: the node options of its ExecStart= and the variables of
 * its Environment= lines. The start bench and the V8 flags test run the kiosk the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/config/index.js';

export function unitText(): string {
  return readFileSync(join(packageRoot(), 'systemd/pickup-kiosk.service'), 'utf8');
}

/** The node options the unit's ExecStart= gives (between node and bin/pickup-kiosk.js). */
export function unitNodeOptions(unit = unitText()): string[] {
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1].trim().split(/\s+/) ?? [];
  const script = exec.findIndex((w) => w.endsWith('/bin/pickup-kiosk.js'));
  if (script < 1) throw new Error('systemd/pickup-kiosk.service: no ExecStart= running bin/pickup-kiosk.js with node');
  return exec.slice(1, script);
}

/** The variables the unit's Environment= lines set (each word quoted or not, as systemd reads them). */
export function unitEnvironment(unit = unitText()): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [, line] of unit.matchAll(/^Environment=(.*)$/gm)) {
    for (const [, quoted, bare] of line.matchAll(/"([^"]*)"|(\S+)/g)) {
      const word = quoted ?? bare;
      const eq = word.indexOf('=');
      if (eq > 0) vars[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return vars;
}
