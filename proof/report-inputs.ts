/** docs/proof.md, sections 4 (fuzz) and 8 (TLS and ACLs): what came in from outside and what it did. */
import type { AclResult } from './acl.js';
import type { FuzzResult } from './fuzz.js';

const n = (x: number, d = 0): string => x.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
const top = (m: Record<string, number>, k = 8): string =>
  Object.entries(m).length === 0 ? 'none' : Object.entries(m).sort((a, b) => b[1] - a[1]).slice(0, k).map(([key, v]) => `${key}: ${n(v)}`).join('; ');

export function renderFuzz(f: FuzzResult): string[] {
  const i = f.inbound;
  const c = f.config;
  const h = f.http;
  const cfgCrashes = c.random.crashes + c.mutated.crashes;
  return [
    '## 4. Fuzz',
    '',
    `fast-check over every inbound path (proof/fuzz.ts; the tests in test/fuzz/ and test/e2e/link-fuzz.test.ts run the same code with their own counts): ${n(f.runs)} inputs in ${n(f.seconds)} s, **${n(f.crashes)} crashes, ${n(f.unlockPulses)} unlock pulses**, ${n(f.actedOn)} fuzzed messages acted on.`,
    '',
    '| path | inputs | crashes | what happened | seconds |',
    '|---|---|---|---|---|',
    `| PKP1 envelopes signed by a trusted seller or operator, hostile bodies, on manifest, ack, reply, status and alarm (the inbound handler) | ${n(i.runs)} | ${n(i.crashes + i.handlingFailed)} | ${n(i.drops)} refused and said so; parcel states afterwards: ${i.parcelStates.join(', ') || 'none'}; integrity_check ${i.integrity} | ${n(i.seconds, 1)} |`,
    ...f.link.map(
      (l) =>
        `| random and mutated payloads on every topic under pk/v1/kiosk/kiosk-1/ through ${l.broker === 'mosquitto' ? 'Mosquitto' : 'aedes'} to the link | ${n(l.payloads)} | ${n(l.disconnects + (l.connectedAtEnd ? 0 : 1))} | ${n(l.acted)} acted on; ${n(l.handled)} of ${n(l.expected)} delivered were refused (${top(l.reasons, 6)}); parcels ${l.parcelsUnchanged ? 'unchanged' : '**changed**'}, seq ${l.lastSeq ?? '?'}, pending event ${l.protectedEventAcked ? '**acked**' : 'still pending'}; a good manifest afterwards: ${l.goodAfter === null ? '**not applied**' : `applied (seq ${l.goodAfter})`} | ${n(l.seconds, 1)} |`,
    ),
    `| HTTP bodies (random JSON, text, almost-right) on ${n(12)} POST routes of the built kiosk process | ${n(h.runs)} | ${n(h.serverErrors + h.noAnswer + (h.answering && h.processUp ? 0 : 1))} | answers by status: ${top(h.statuses)}; unlock pulses afterwards ${n(h.unlockPulses)}; still answering: ${h.answering && h.processUp ? 'yes' : '**no**'} | ${n(h.seconds, 1)} |`,
    `| config files: random JSON and text; the shipped default with random members replaced | ${n(c.random.runs)} + ${n(c.mutated.runs)} | ${n(cfgCrashes)} | loaded ${n(c.random.loaded + c.mutated.loaded)}, refused with a ConfigError ${n(c.random.refused + c.mutated.refused)} (${n(c.random.silentRefusals + c.mutated.silentRefusals)} without a message) | ${n(c.seconds, 1)} |`,
    '',
    ...(i.firstCrash ?? h.firstFailure ?? c.random.firstCrash ?? c.mutated.firstCrash) !== null ? [`First failure: \`${i.firstCrash ?? h.firstFailure ?? c.random.firstCrash ?? c.mutated.firstCrash}\``, ''] : [],
  ];
}

export function renderAcl(a: AclResult): string[] {
  const refused = a.cases.filter((c) => c.expect === 'refused');
  const allowed = a.cases.filter((c) => c.expect === 'allowed');
  return [
    '## 8. TLS and ACLs',
    '',
    `The shipped deploy/mosquitto/mosquitto.conf and ACL files on a private Mosquitto (its paths and ports replaced, no persistence), with certificates made in the run (openssl, one CA per role). kiosk-1 ran its real link over TLS beside a seller and an operator; ${n(a.intruders)} other kiosks' certificates, each under kiosk-1's client id, subscribed to kiosk-1's topics and the seller's and published as a seller to kiosk-1 and as kiosk-1 to the operator. A denial counts when it is observed: nothing arrived while the allowed message beside it did, or the connection was refused. ${n(a.seconds, 1)} s.`,
    '',
    `- allowed as expected: ${n(a.allowed)} of ${n(allowed.length)}; refused as expected: ${n(a.refused)} of ${n(refused.length)}; **not as expected: ${n(a.unexpected)}**`,
    `- kiosk-1 stayed connected while the intruders used its client id: ${a.kioskStayedConnected ? 'yes' : '**no**'}`,
    '',
    '| case | expected | seen |',
    '|---|---|---|',
    ...allowed.map((c) => `| ${c.name} | allowed | ${c.observed ? 'yes' : '**no**'} (${c.detail}) |`),
    ...refused
      .filter((c) => !c.name.startsWith('kiosk-') || c.name.startsWith('kiosk-2 ') || !c.observed)
      .map((c) => `| ${c.name} | refused | ${c.observed ? 'yes' : '**no**'} (${c.detail}) |`),
    ...(a.intruders > 1 ? [`| the same five cases for kiosk-3 … kiosk-${a.intruders + 1} | refused | ${n(refused.filter((c) => /^kiosk-\d+ /.test(c.name) && !c.name.startsWith('kiosk-2 ') && c.observed).length)} of ${n(refused.filter((c) => /^kiosk-\d+ /.test(c.name) && !c.name.startsWith('kiosk-2 ')).length)} |`] : []),
    '',
  ];
}
