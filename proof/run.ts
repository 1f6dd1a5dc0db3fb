/**
 * `npm run proof [-- --quick] [--only crash,fleet,fuzz,acl] [--crash-points N] [--crash-minutes M] [--crash-shards N] [--concurrent|--serial]
 *   [--fleet-kiosks N] [--out FILE] [--save F.json] [--load F.json,…]`
 * Runs the parts (one after another in a full run, all at once in a quick
 * one: each has its own broker, seller and data directory) and writes
 * docs/proof.md (full run) or prints the report (quick run, unless --out is given).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aclProof } from './acl.js';
import { bruteProof } from './brute.js';
import { addCrashRuns, crashProof } from './crash.js';
import { fleetProof } from './fleet.js';
import { fuzzProof } from './fuzz.js';
import { hostileProof } from './hostile.js';
import { packageRootDir } from './lib/kiosk.js';
import { outageProof } from './outage.js';
import { FULL, PARTS, QUICK, type Part, type Plan } from './plan.js';
import { privacyProof } from './privacy.js';
import { render, type Results } from './report.js';

export async function runProof(plan: Plan, parts: readonly Part[], say: (l: string) => void): Promise<Results> {
  const r: Results = { failed: {}, seconds: {} };
  const t0 = Date.now();
  const one = async (part: Part): Promise<void> => {
    const t = Date.now();
    say(`proof: ${part}…`);
    try {
      switch (part) {
        case 'crash':
          r.crash = await crashProof({
            points: plan.crashPoints,
            shards: plan.crashShards,
            say,
            ...(plan.crashMinutes === null ? {} : { deadline: Date.now() + plan.crashMinutes * 60_000 }),
          });
          break;
        case 'outage':
          r.outage = await outageProof({ pickups: plan.outagePickups, say });
          break;
        case 'hostile':
          r.hostile = await hostileProof({ rounds: plan.hostileRounds, say });
          break;
        case 'brute':
          r.brute = await bruteProof({ tries: plan.bruteTries, pacedSeconds: plan.brutePacedSeconds, backoffStartMs: plan.bruteBackoffStartMs, say });
          break;
        case 'privacy':
          r.privacy = await privacyProof({ perMedium: plan.privacyPerMedium, say });
          break;
        case 'fleet':
          r.fleet = await fleetProof({ ...plan.fleet, say });
          break;
        case 'fuzz':
          r.fuzz = await fuzzProof({ ...plan.fuzz, say });
          break;
        case 'acl':
          r.acl = await aclProof({ intruders: plan.aclIntruders, say });
          break;
      }
    } catch (e) {
      r.failed[part] = (e as Error).stack ?? String(e);
      say(`proof: ${part} failed: ${(e as Error).message}`);
    }
    r.seconds[part] = (Date.now() - t) / 1000;
    say(`proof: ${part} done in ${r.seconds[part].toFixed(1)} s`);
  };
  if (plan.concurrent) await Promise.all(parts.map(one));
  else for (const part of parts) await one(part);
  r.wallSeconds = (Date.now() - t0) / 1000;
  r.concurrent = plan.concurrent;
  return r;
}

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const plan: Plan = structuredClone(quick ? QUICK : FULL);
  const points = arg('--crash-points');
  if (points !== undefined) plan.crashPoints = Number(points);
  const minutes = arg('--crash-minutes');
  if (minutes !== undefined) plan.crashMinutes = Number(minutes);
  const shards = arg('--crash-shards');
  if (shards !== undefined) plan.crashShards = Number(shards);
  if (argv.includes('--concurrent')) plan.concurrent = true;
  if (argv.includes('--serial')) plan.concurrent = false;
  const kiosks = arg('--fleet-kiosks');
  if (kiosks !== undefined) plan.fleet.kiosks = Number(kiosks);
  const only = arg('--only');
  const unknown = (only ?? '').split(',').filter((p) => p !== '' && !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--only: no part ${unknown.join(', ')} (the parts: ${PARTS.join(', ')})`);
  const parts = only === undefined ? PARTS : PARTS.filter((p) => only.split(',').includes(p));
  const r = await runProof(plan, parts, (l) => console.log(l));
  // Parts run at another time (--load a.json,b.json) fill in what this run did not do;
  // with --add-crash, crash runs made at the same time are added up.
  const addCrash = argv.includes('--add-crash');
  for (const f of (arg('--load') ?? '').split(',').filter((x) => x !== '')) {
    const earlier = JSON.parse(readFileSync(f, 'utf8')) as Results & { plan: Plan };
    if (addCrash && r.crash !== undefined && earlier.crash !== undefined) {
      // Crash runs made at the same time on separate worlds add up.
      r.crash = addCrashRuns([r.crash, earlier.crash]);
      r.seconds.crash = Math.max(r.seconds.crash ?? 0, earlier.seconds.crash ?? 0);
      continue;
    }
    for (const k of PARTS) {
      if (r[k] === undefined && earlier[k] !== undefined) {
        Object.assign(r, { [k]: earlier[k] });
        r.seconds[k] = earlier.seconds[k] ?? 0;
        if (k === 'crash') plan.crashPoints = earlier.plan.crashPoints;
      }
    }
  }
  // A report put together from saved runs has no run time of its own.
  if (parts.length === 0) delete r.wallSeconds;
  const save = arg('--save');
  if (save !== undefined) writeFileSync(save, JSON.stringify({ ...r, plan }, null, 1));
  const crashPoints = r.crash?.points ?? plan.crashPoints;
  const reduced = !quick && (crashPoints < FULL.crashPoints || plan.fleet.kiosks < FULL.fleet.kiosks);
  const mode = quick ? 'quick' : reduced ? `full, reduced (${crashPoints} crash points of ${FULL.crashPoints}, ${plan.fleet.kiosks} fleet kiosks)` : 'full';
  const ran = PARTS.filter((k) => r[k] !== undefined || r.failed[k] !== undefined);
  const text = render(r, plan, ran.length === PARTS.length ? mode : `${mode}, only ${ran.join(', ')}`);
  const out = arg('--out') ?? (quick ? undefined : join(packageRootDir(), 'docs', 'proof.md'));
  if (out !== undefined) writeFileSync(out, text);
  console.log(out !== undefined ? `proof: written to ${out}` : text);
  return Object.keys(r.failed).length === 0 ? 0 : 1;
}

if (process.argv[1]?.endsWith('run.js') === true && process.argv[1].includes('proof')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
