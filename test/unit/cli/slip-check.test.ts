import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { tempDir, testIo, writeConfig, writeKeys } from './support.js';
import keys from '../../fixtures/keys.json' with { type: 'json' };
import slips from '../../fixtures/slips.json' with { type: 'json' };

interface Vector {
  name: string;
  slip: string;
  check: { code: string | null; expectTxn: string | null; allowMode0?: boolean };
  expect: { ok: boolean; reason?: string; txn?: string | null };
}

const TRUST = keys.sellers.flatMap((s) => ['--trust', `${s.id}=${s.publicKey}`]);

function kiosk(): { config: string; dataDir: string } {
  const dir = tempDir('pk-slip-');
  const config = writeConfig(dir);
  const dataDir = path.join(dir, 'data');
  writeKeys(dataDir, { ed25519: keys.kiosk.ed25519Seed, x25519: keys.kiosk.x25519Seed });
  return { config, dataDir };
}

function vectorArgs(v: Vector, config: string): string[] {
  const args = ['slip', 'check', '--config', config, ...TRUST];
  if (v.check.code !== null) args.push('--code', v.check.code);
  if (v.check.expectTxn !== null) args.push('--expect-txn', v.check.expectTxn);
  if (v.check.allowMode0 === false) args.push('--no-mode0');
  args.push('--', v.slip); // `--`: a slip is never taken for a flag, whatever it starts with.
  return args;
}

describe('slip check reproduces every vector of slips.json', () => {
  const k = kiosk();
  for (const v of slips as Vector[]) {
    it(v.name, async () => {
      const t = testIo();
      const code = await main(vectorArgs(v, k.config), t.io);
      const out = JSON.parse(t.stdout()) as Record<string, unknown>;
      expect(out.ok).toBe(v.expect.ok);
      if (v.expect.ok) {
        expect(code).toBe(0);
        expect(out.txn).toBe(v.expect.txn ?? null);
        expect(out.reason).toBeUndefined();
        expect(typeof out.sellerId).toBe('string');
        expect([0, 1]).toContain(out.mode);
      } else {
        expect(code).toBe(1);
        expect(out.reason).toBe(v.expect.reason);
        expect(t.stderr()).toMatch(/^refused: /);
        if (v.expect.reason === 'malformed' && out.sellerId === null) expect(out.mode).toBeNull();
      }
      // The code never reaches any output.
      if (v.check.code !== null) expect(t.stdout() + t.stderr()).not.toContain(v.check.code);
    });
  }
});

describe('slip check', () => {
  const k = kiosk();
  const mode0 = (slips as Vector[]).find((v) => v.name === 'mode0-ok')!;
  const mode1 = (slips as Vector[]).find((v) => v.name === 'mode1-ok')!;

  it('names seller and mode, and null for both when the slip is not one', async () => {
    let t = testIo();
    expect(await main(['slip', 'check', '--config', k.config, ...TRUST, mode1.slip], t.io)).toBe(0);
    expect(JSON.parse(t.stdout())).toEqual({ ok: true, txn: null, sellerId: 'shop-a', mode: 1 });
    t = testIo();
    expect(await main(['slip', 'check', '--config', k.config, 'PKS1.AAAA'], t.io)).toBe(1);
    expect(JSON.parse(t.stdout())).toEqual({ ok: false, reason: 'malformed', sellerId: null, mode: null });
  });

  it('reads the slip from stdin with "-", trimming one newline', async () => {
    const t = testIo({ stdin: `${mode0.slip}\n` });
    const code = await main(['slip', 'check', '--config', k.config, ...TRUST, '--code', '24681357', '-'], t.io);
    expect(JSON.parse(t.stdout())).toEqual({ ok: true, txn: 'T-2026-11-1', sellerId: 'shop-a', mode: 0 });
    expect(code).toBe(0);
    // Only one: a second newline is part of the text, and a slip has none.
    const t2 = testIo({ stdin: `${mode0.slip}\n\n` });
    expect(await main(['slip', 'check', '--config', k.config, ...TRUST, '-'], t2.io)).toBe(1);
    expect(JSON.parse(t2.stdout()).reason).toBe('malformed');
  });

  it('reads the code from stdin with --code-stdin', async () => {
    const t = testIo({ stdin: '24681357\n' });
    const args = ['slip', 'check', '--config', k.config, ...TRUST, '--code-stdin', '--expect-txn', 'T-2026-11-2', mode1.slip];
    expect(await main(args, t.io)).toBe(0);
    expect(JSON.parse(t.stdout())).toEqual({ ok: true, txn: 'T-2026-11-2', sellerId: 'shop-a', mode: 1 });
    const wrong = testIo({ stdin: '11111111\n' });
    expect(await main(args, wrong.io)).toBe(1);
    expect(JSON.parse(wrong.stdout()).reason).toBe('wrong-code');
    expect(wrong.stdout() + wrong.stderr()).not.toContain('11111111');
  });

  it('takes trusted keys from the config as well as --trust, and mode-0 policy from the config', async () => {
    const dir = tempDir('pk-slip-');
    const sellers = Object.fromEntries(keys.sellers.map((s) => [s.id, [s.publicKey]]));
    const config = writeConfig(dir, { trust: { sellers }, policy: { allowMode0: false } });
    let t = testIo();
    expect(await main(['slip', 'check', '--config', config, mode0.slip], t.io)).toBe(1);
    expect(JSON.parse(t.stdout()).reason).toBe('mode-not-allowed');
    t = testIo();
    expect(await main(['slip', 'check', '--config', config, '--allow-mode0', mode0.slip], t.io)).toBe(0);
    // Without the seller's key the same slip is untrusted.
    t = testIo();
    expect(await main(['slip', 'check', '--config', k.config, mode0.slip], t.io)).toBe(1);
    expect(JSON.parse(t.stdout()).reason).toBe('untrusted');
  });

  it('without kiosk keys: checks mode 0, refuses to guess on mode 1 (exit 2)', async () => {
    const dir = tempDir('pk-slip-');
    const config = writeConfig(dir);
    let t = testIo();
    expect(await main(['slip', 'check', '--config', config, ...TRUST, mode0.slip], t.io)).toBe(0);
    t = testIo();
    expect(await main(['slip', 'check', '--config', config, ...TRUST, mode1.slip], t.io)).toBe(2);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toContain('cannot be checked without its keys: no kiosk keys in');
    expect(t.stderr()).toContain('pickup-kiosk keygen --data-dir');
    // --data-dir points at a folder that has them.
    t = testIo();
    expect(await main(['slip', 'check', '--config', config, '--data-dir', k.dataDir, ...TRUST, mode1.slip], t.io)).toBe(0);
  });

  it('usage errors exit 2 and say what is wrong', async () => {
    const cases: Array<[string[], string]> = [
      [['slip', 'check', '--config', k.config], 'give exactly one slip'],
      [['slip', 'check', '--config', k.config, 'a', 'b'], 'give exactly one slip'],
      [['slip', 'check', '--config', k.config, '--allow-mode0', '--no-mode0', mode0.slip], 'contradict'],
      [['slip', 'check', '--config', k.config, '--code', '1', '--code-stdin', mode0.slip], 'give the code once'],
      [['slip', 'check', '--config', k.config, '--code-stdin', '-'], 'not both'],
      [['slip', 'check', '--config', k.config, '--trust', 'shop-a', mode0.slip], 'SELLER_ID=PUBLIC_KEY'],
      [['slip', 'check', '--config', k.config, '--trust', 'shop a=' + 'a'.repeat(64), mode0.slip], 'SELLER_ID=PUBLIC_KEY'],
      [['slip', 'check', '--config', k.config, '--expect-txn', 'has space', mode0.slip], '--expect-txn'],
      [['slip', 'check', '--config', k.config, '--code'], '--code needs a value'],
      [['slip', 'check', '--config', k.config, '--kode', '1', mode0.slip], 'unknown option --kode'],
      [['slip', 'check', '--config', k.config, '--code', '1', '--code', '2', mode0.slip], 'given twice'],
      [['slip', 'check', '--config', path.join(k.dataDir, 'none.json'), mode0.slip], 'cannot read the file'],
      [['slip'], 'slip needs a subcommand'],
      [['slip', 'verify'], 'unknown command "slip verify"'],
    ];
    for (const [argv, words] of cases) {
      const t = testIo();
      expect(await main(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.stderr(), argv.join(' ')).toContain(words);
      expect(t.stdout()).toBe('');
    }
  });

  it('prints its help with --help', async () => {
    const t = testIo();
    expect(await main(['slip', 'check', '--help'], t.io)).toBe(0);
    expect(t.stdout()).toContain('usage: pickup-kiosk slip check');
    expect(t.stdout()).toContain('--code-stdin');
    expect(t.stdout()).toContain('prefer --code-stdin');
  });
});
