/** docs/proof.md: what each part found, with the machine it ran on. */
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import type { AclResult } from './acl.js';
import type { BruteResult } from './brute.js';
import type { CrashResult } from './crash.js';
import type { FleetResult } from './fleet.js';
import type { FuzzResult } from './fuzz.js';
import type { HostileResult } from './hostile.js';
import type { OutageResult } from './outage.js';
import type { Plan } from './plan.js';
import type { PrivacyResult } from './privacy.js';
import { renderAcl, renderFuzz } from './report-inputs.js';

export interface Results {
  crash?: CrashResult;
  outage?: OutageResult;
  hostile?: HostileResult;
  brute?: BruteResult;
  privacy?: PrivacyResult;
  fleet?: FleetResult;
  fuzz?: FuzzResult;
  acl?: AclResult;
  failed: Record<string, string>;
  seconds: Record<string, number>;
  /** The whole run, start to end. */
  wallSeconds?: number;
  /** Whether the parts ran at the same time. */
  concurrent?: boolean;
}

const n = (x: number, d = 0): string => x.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
const kv = (m: Record<string, number>): string =>
  Object.entries(m).length === 0 ? 'none' : Object.entries(m).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join('; ');

export function machine(): string {
  let mosq = 'mosquitto';
  try {
    mosq = execFileSync('mosquitto', ['-h'], { encoding: 'utf8' }).split('\n')[0];
  } catch (e) {
    mosq = String((e as { stdout?: string }).stdout ?? '').split('\n')[0] || 'mosquitto (version unknown)';
  }
  let load = '';
  try {
    load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
  } catch {
    load = '?';
  }
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${n(totalmem() / 2 ** 30, 1)} GiB RAM, Linux ${release()}, load average at the end ${load}`,
    `- node ${process.version}; ${mosq}`,
  ].join('\n');
}

/** Why the right code waited: the kiosk-wide spray rule of docs/flows.md, with this run's count. */
function bruteWhy(b: BruteResult): string {
  const f = b.other.first;
  const sp = b.other.spray;
  if (f.screen !== 'wait') return `- its first answer was \`${f.screen}\`: no wait`;
  const count = sp === null ? '' : ` ${n(sp.parcels)} different parcels had wrong codes within the hour, the last ${n(sp.sinceLastSeconds ?? 0, 1)} s before;`;
  const start = b.backoffStartSeconds ?? 30;
  const set = start === 30 ? '' : ` (this run's \`attempts.kioskBackoffStartMs\`; the default is 30 s)`;
  const policy = b.other.policyWaitSeconds === null ? '' : ` the policy (docs/flows.md, "Across the kiosk": ${n(start)} s${set} from the 3rd different parcel, doubling with each further one, up to 15 min) gives ${n(b.other.policyWaitSeconds)} s from the last wrong code;`;
  return `- why it waited: its first answer was \`wait\` (\`why: ${f.why ?? '?'}\`, ${n(f.waitSeconds ?? 0, 1)} s).${count}${policy} this is the intended kiosk-wide wait against a spray, which the kiosk cannot tell apart from the next person`;
}

export function render(r: Results, plan: Plan, mode: string): string {
  const out: string[] = [];
  out.push('# Proof: nothing lost, nothing leaked', '');
  out.push(
    'Written by `npm run proof` (proof/run.ts). Each part drives the built kiosk (`bin/pickup-kiosk.js start`) from outside, the way',
    'a person and the network would: simulated devices through `/sim/…` (docs/sim-control.md), a private Mosquitto on a free port, and the',
    'reference seller (`pickup-kiosk seller serve`) in a process of its own. The fuzz part (4) also feeds the kiosk\'s inbound handler, its',
    'link and its config loader in the runner\'s own process, and the TLS and ACL part (8) runs the kiosk\'s link against the shipped',
    'Mosquitto config. The quick mode (`npm run proof -- --quick`) runs inside `npm test` as test/proof/quick.test.ts and asserts the',
    'outcomes below. `--only fuzz,acl` runs chosen parts (crash, outage, hostile, fuzz, brute, privacy, fleet, acl).',
    '',
    `Run: **${mode}**.`,
    '',
    machine(),
    '',
  );
  if (Object.keys(r.failed).length > 0) {
    out.push('## Parts that did not finish', '');
    for (const [k, v] of Object.entries(r.failed)) out.push(`- **${k}**: ${v.split('\n')[0]}`);
    out.push('');
  }
  const c = r.crash;
  if (c) {
    out.push(
      '## 1. Crash (kill -9)',
      '',
      `${n(c.points)} kill -9 points (planned ${n(plan.crashPoints)}) in ${n(c.seconds)} s${(c.shards ?? 1) > 1 ? `, spread over ${n(c.shards)} kiosks run side by side (each with its own data directory, broker and seller)` : ''}${c.runs ? ` in ${n(c.runs.length)} runs started at about the same time (${c.runs.map((x) => `${n(x.points)} points on ${n(x.shards)} kiosks in ${n(x.seconds)} s, restart p50 ${n(x.restartMsP50)} ms, p99 ${n(x.restartMsP99)} ms`).join('; ')}; the restart figures below are the larger of the runs')` : ''}; ${n(c.loads)} courier loads and ${n(c.pickups)} pickups started, each cut at a random step; ${n(c.brokerDownPoints)} of the points with the broker down. After each kill the database was checked (a copy of kiosk.db and its WAL, so the kiosk's own recovery is untouched) and the kiosk started again (restart to page up: p50 ${n(c.restartMsP50)} ms, p99 ${n(c.restartMsP99)} ms).`,
      '',
      '| what | count |',
      '|---|---|',
      `| parcels people took out (the runner's truth) | ${n(c.taken)} |`,
      `| handovers the kiosk recorded | ${n(c.kioskHandovers)} |`,
      `| receipts the seller recorded (distinct parcels) | ${n(c.receipts)} |`,
      `| duplicate receipts (a second receipt for one parcel) | ${n(c.duplicateReceipts)} |`,
      `| lost receipts (handed over at the kiosk, never at the seller) | ${n(c.lostReceipts)} |`,
      `| parcels taken that the kiosk did not record as handed over | ${n(c.unrecordedHandovers)} |`,
      `| of those, in a compartment the kiosk set aside for staff (it could not see the door) | ${n(c.unrecordedSetAside)} |`,
      `| double handovers (the code opened a door again for a parcel already taken) | ${n(c.doubleHandovers)} |`,
      `| stranded parcels (inside, the right code does not bring them out, compartment not set aside) | ${n(c.stranded)} |`,
      `| parcels held for staff (inside a compartment the kiosk set aside after a kill left its content unknown) | ${n(c.setAside)} |`,
      `| compartments set aside for staff at the end (no operator plays in this run) | ${n(c.setAsideCompartmentsAtEnd)} |`,
      `| seller events (receipts, arrivals) still unacked in the outbox at the end | ${n(c.pendingEventsAtEnd ?? c.pendingAtEnd)} |`,
      `| operator alarms still unacked in the outbox at the end (no operator acks alarms in this run) | ${n(c.pendingAlarmsAtEnd ?? 0)} |`,
      `| integrity_check not ok | ${n(c.integrityFailures)} of ${n(c.integrityChecks)} |`,
      '',
      `Stranded parcels, by what the kiosk says of them: ${kv(c.strandedWhy)}.`,
      '',
      `Parcels held for staff, by what the kiosk says of them: ${kv(c.setAsideWhy)}.`,
      '',
      `Alarms the kiosk raised (its audit trail): ${kv(c.alarms ?? {})}. An alarm goes to the operator topic and stays in the outbox until an operator acks it; the seller acks only its events.${c.drainSeconds !== undefined ? ` After the last point every seller event was acked within ${n(c.drainSeconds, 1)} s.` : ''}`,
      '',
      `Where the kills landed: ${kv(c.places)}.`,
      '',
      `Actions the kiosk refused after a restart (step: screen): ${kv(c.refusals)}.`,
      '',
    );
  }
  const o = r.outage;
  if (o) {
    out.push(
      '## 2. Outage',
      '',
      `${n(o.pickups)} pickups with the broker down (${n(o.pickupSecondsOffline, 1)} s, checked offline against the slips); then the broker came back.`,
      '',
      `- receipts at the seller: ${n(o.receipts)} of ${n(o.pickups)}; missing ${n(o.missing)}; duplicates ${n(o.duplicates)}`,
      `- time to drain, from the broker's return to the last receipt recorded: ${n(o.drainSeconds, 2)} s`,
      '',
    );
  }
  const h = r.hostile;
  if (h) {
    out.push(
      '## 3. Hostile broker',
      '',
      `A scripted MQTT server (proof/hostile.ts) answered ${n(h.sessions)} connections with ${n(h.scenarios)} malformed scripts in turn: short and over-long CONNACKs, unknown return codes, QoS 3, topic lengths past the packet, invalid UTF-8, wildcard and NUL topics, a 256 MiB remaining length with 16 MiB sent, an 8 MiB message, SUBACK failures, stray PUBACK/PUBREL, reserved packet types, random bytes, silence, a PINGRESP flood.`,
      '',
      `- the kiosk stayed up: ${h.stayedUp ? 'yes' : '**no**'}`,
      `- offline pickups served meanwhile: ${n(h.pickupsOk)} of ${n(h.pickups)}`,
      `- kiosk RSS: ${n(h.rssBeforeMiB)} MiB before, ${n(h.rssPeakMiB)} MiB at the peak, ${n(h.rssAfterMiB)} MiB after (3 s after the last session)`,
      ...(h.heapAfterGcMiB === undefined
        ? []
        : [
            `- kiosk V8 heap in use (its /metrics): ${n(h.heapBeforeMiB)} MiB before, ${n(h.heapPeakMiB)} MiB at the peak, ${n(h.heapAfterMiB)} MiB after; external memory (Buffers) ${n(h.externalPeakMiB)} MiB at the peak, ${n(h.externalAfterMiB)} MiB after`,
            `- after a full garbage collection (a heap snapshot's): heap ${n(h.heapAfterGcMiB)} MiB, external ${n(h.externalAfterGcMiB)} MiB`,
            `- RSS gained while each script's session was the latest (MiB): ${kv(h.rssGrowthByScript)}`,
          ]),
      '',
    );
  }
  if (r.fuzz) out.push(...renderFuzz(r.fuzz));
  const b = r.brute;
  if (b) {
    out.push(
      '## 5. Brute force',
      '',
      `Wrong codes spread over 8 parcels (a spray, the strongest guessing at a kiosk), through the keypad; the seller's failure limit is its default (5).`,
      '',
      '| | tries | seconds | checked (wrong codes the kiosk counted) | doors opened | screens |',
      '|---|---|---|---|---|---|',
      `| full speed | ${n(b.fast.tries)} | ${n(b.fast.seconds, 1)} | ${n(b.fast.checked)} | ${n(b.fast.opened)} | ${kv(b.fast.outcomes)} |`,
      `| paced (every wait obeyed) | ${n(b.paced.tries)} | ${n(b.paced.seconds, 1)} | ${n(b.paced.checked)} | ${n(b.paced.opened)} | ${kv(b.paced.outcomes)} |`,
      '',
      `- tries really checked per hour, paced: at most ${n(b.paced.perHour)} (the rate over the paced window; waits grow, so a longer hour checks fewer); at full speed ${n((b.fast.checked / Math.max(1, b.fast.seconds)) * 3600)} per hour while it lasts, ${n(b.fast.checked)} in all`,
      `- the right code for another parcel afterwards: ${b.other.opened ? `opened its door (after ${n(b.other.waitedSeconds, 1)} s)` : `**did not open** (screen ${b.other.screen} after ${n(b.other.waitedSeconds, 1)} s)`}`,
      ...(b.other.first === undefined ? [] : [bruteWhy(b)]),
      '',
    );
  }
  const p = r.privacy;
  if (p) {
    const total = Object.values(p.pickups).reduce((a, x) => a + x, 0);
    out.push(
      '## 6. Privacy',
      '',
      `${n(total)} pickups (${kv(p.pickups)}), 12-digit codes. Searched after a clean stop, as plain digits, hex, and base64/base64url at every alignment: ${n(p.filesSearched)} files (every file of the data directory, and the log), ${n(p.mqttMessages)} MQTT messages captured by a subscriber on \`#\` (envelope bodies decoded), ${n(p.pagesLooked)} page and /sim/state snapshots taken while codes were typed.`,
      '',
      `- code traces: ${Object.keys(p.codeTraces).length === 0 ? '0' : `**${kv(p.codeTraces)}**`} (of ${n(p.codes)} codes)`,
      `- fingerprint templates: ${n(p.templates)}; files holding any 32-byte stretch of one after its parcel left: ${Object.keys(p.templateTraces).length === 0 ? '0' : `**${kv(p.templateTraces)}**`}`,
      '',
    );
  }
  const f = r.fleet;
  if (f) {
    out.push(
      '## 7. Fleet',
      '',
      `${n(f.kiosks)} kiosks in one process (the kiosk's SellerLink each, Ed25519-signed PKP1, an in-memory store each) on one Mosquitto; two \`seller serve\` processes on \`$share/fleet/…\`; one of them killed (SIGKILL) at ${n(f.sellerKilledAt, 1)} s. See [fleet.md](fleet.md) for what a larger fleet needs.`,
      '',
      '| figure | value |',
      '|---|---|',
      `| all kiosks connected after | ${n(f.connectSeconds, 1)} s |`,
      `| steady run | ${n(f.runSeconds)} s: ${n((f.events - f.burst.events) / f.runSeconds, 1)} events/s generated (${n(f.offeredEventsPerSecond)}/s planned: the generator, ${n(f.kiosks)} links signing in one process, shares the CPU) and ${n(plan.fleet.verifiesPerSecond)} online checks/s planned |`,
      `| events acked during the run | ${n(f.eventsAckedPerSecond, 1)}/s |`,
      `| burst: 5 events from every kiosk at once | ${n(f.burst.events)} events acked in ${n(f.burst.seconds, 1)} s (${n(f.burst.perSecond)}/s) |`,
      `| online check round trip | p50 ${n(f.verifyP50Ms, 1)} ms, p99 ${n(f.verifyP99Ms, 1)} ms (${n(f.verifies)} answered: ${kv(f.verifyAnswers)}) |`,
      `| broker CPU during the run | ${n(f.brokerCpuPercent, 1)} % of one core |`,
      `| broker RSS at the end | ${n(f.brokerRssMiB)} MiB |`,
      `| memory per kiosk (RSS of the fleet process / kiosks) | ${n(f.memoryPerKioskKiB)} KiB |`,
      `| events sent / recorded by the seller / lost | ${n(f.events)} / ${n(f.recorded)} / ${n(f.lost)} |`,
      `| outbox drained after the run in | ${n(f.drainSeconds, 1)} s |`,
      '',
    );
  }
  if (r.acl) out.push(...renderAcl(r.acl));
  out.push(
    '## Time per part',
    '',
    r.concurrent === true ? `The parts ran at the same time, each with its own broker, seller and data directory; the whole run took ${n(r.wallSeconds ?? 0)} s.` : r.wallSeconds !== undefined ? `The parts ran one after another; the whole run took ${n(r.wallSeconds)} s.` : '',
    '',
    Object.entries(r.seconds).map(([k, v]) => `- ${k}: ${n(v)} s`).join('\n'),
    '',
  );
  return out.join('\n');
}
