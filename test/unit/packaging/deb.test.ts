/**
 * The Debian package builds with dpkg-deb and holds what a box needs: the
 * compiled kiosk and its production dependencies under /opt/pickup-kiosk
 * (no dev tools), the units, the udev rules, the config as a conffile,
 * /usr/bin/pickup-kiosk, and maintainer scripts that make the user and
 * groups and end with `pickup-kiosk doctor`.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import { assertBuilt } from '../../support/built.js';
import { tempDir } from '../../support/tmp.js';

const root = packageRoot();
const t = tempDir('pk-deb-');
afterAll(() => t.cleanup());

describe('Debian package', () => {
  it('builds and contains the kiosk, its units, udev rules, user setup and doctor', { timeout: 900_000 }, async () => {
    assertBuilt(root);
    // Asynchronous: copying and pruning node_modules takes a minute or more, and the test worker must keep answering meanwhile.
    const built = await promisify(execFile)('bash', [join(root, 'packaging/deb/build.sh'), join(t.dir, 'out')], {
      encoding: 'utf8',
      env: { ...process.env, DEB_COMPRESSION: 'none' },
    });
    const deb = built.stdout.trim();
    expect(deb).toMatch(/pickup-kiosk_\d+\.\d+\.\d+_[a-z0-9]+\.deb$/);

    const info = execFileSync('dpkg-deb', ['-f', deb], { encoding: 'utf8' });
    expect(info).toMatch(/^Package: pickup-kiosk$/m);
    expect(info).toMatch(/^Depends: .*nodejs \(>= 20\)/m);

    const files = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
      .split('\n')
      .map((l) => l.split(/\s+/).slice(5).join(' '))
      .filter(Boolean);
    const has = (p: string): boolean => files.some((f) => f === p || f.startsWith(`${p} `));
    for (const p of [
      './lib/systemd/system/pickup-kiosk.service',
      './lib/systemd/system/pickup-kiosk-browser.service',
      './lib/udev/rules.d/99-pickup-kiosk.rules',
      './etc/pickup-kiosk/kiosk.json',
      './usr/bin/pickup-kiosk -> /opt/pickup-kiosk/bin/pickup-kiosk.js',
      './opt/pickup-kiosk/bin/pickup-kiosk.js',
      './opt/pickup-kiosk/dist/src/cli.js',
      './opt/pickup-kiosk/dist/kiosk/cli.cjs',
      './opt/pickup-kiosk/dist/src/app/sd-notify.js',
      './opt/pickup-kiosk/docs/install.md',
      './opt/pickup-kiosk/node_modules/better-sqlite3/package.json',
      './opt/pickup-kiosk/node_modules/unix-dgram/build/Release/unix_dgram.node',
      './opt/pickup-kiosk/node_modules/mqtt/package.json',
    ]) {
      expect(has(p), p).toBe(true);
    }
    // No dev tools, no TypeScript sources or tests.
    for (const p of ['vitest', 'typescript', 'eslint', 'playwright-core', 'esbuild']) {
      expect(has(`./opt/pickup-kiosk/node_modules/${p}/package.json`), p).toBe(false);
    }
    expect(files.some((f) => f.startsWith('./opt/pickup-kiosk/src/') || f.startsWith('./opt/pickup-kiosk/test/'))).toBe(false);

    const ctl = join(t.dir, 'control');
    execFileSync('dpkg-deb', ['-e', deb, ctl]);
    expect(readFileSync(join(ctl, 'conffiles'), 'utf8').trim()).toBe('/etc/pickup-kiosk/kiosk.json');
    const postinst = readFileSync(join(ctl, 'postinst'), 'utf8');
    expect(postinst).toMatch(/adduser --system --group .* pickup-kiosk/);
    expect(postinst).toMatch(/adduser pickup-kiosk dialout/);
    expect(postinst).toMatch(/adduser pickup-kiosk gpio/);
    const lines = postinst.trim().split('\n');
    expect(lines.slice(-4).join('\n')).toMatch(/pickup-kiosk doctor --config \/etc\/pickup-kiosk\/kiosk\.json/);
    for (const script of ['postinst', 'prerm', 'postrm']) {
      expect(spawnSync('sh', ['-n', join(ctl, script)]).status, script).toBe(0);
    }
  });
});
