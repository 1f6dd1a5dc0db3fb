/**
 * `npm run proof -- --quick` inside npm test: the built kiosk killed at 30
 * random points, an outage, a hostile broker, fuzzed input on every inbound
 * path, guessing, privacy, a small fleet, and the shipped Mosquitto TLS and
 * ACL config, all at once (each in a world of its own: broker, seller, data
 * directory), each asserting what must hold whatever the kiosk's internals.
 * Figures go to the test output; the full run writes docs/proof.md.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { PARTS, QUICK, type Part } from '../../proof/plan.js';
import { render, type Results } from '../../proof/report.js';
import { runProof } from '../../proof/run.js';
import { assertBuilt } from '../support/built.js';

let r: Results;

/** A part that threw is a failure with its reason, not a silent pass. */
function part<K extends Part>(k: K): NonNullable<Results[K]> {
  expect(r.failed[k], `${k} did not finish`).toBeUndefined();
  const v = r[k];
  expect(v).toBeDefined();
  return v as NonNullable<Results[K]>;
}

describe('proof, quick mode', () => {
  beforeAll(async () => {
    assertBuilt(packageRoot());
    r = await runProof(QUICK, PARTS, () => undefined);
    console.log(render(r, QUICK, 'quick'));
  }, 1_200_000); // about half a minute alone on a 2-core machine; a minute or more beside the rest of the suite

  it('crash: 30 kill -9 points, no double handover, nothing stranded, no lost or duplicate receipt, the database always intact', () => {
    const c = part('crash');
    expect(c.points).toBe(QUICK.crashPoints);
    expect(c.doubleHandovers).toBe(0);
    // Nothing lost: a parcel its code does not bring out is in a compartment held for staff,
    // and a parcel taken unseen is one whose compartment the kiosk set aside.
    expect(c.stranded).toBe(0);
    expect(c.unrecordedHandovers).toBe(c.unrecordedSetAside);
    expect(c.lostReceipts).toBe(0);
    expect(c.duplicateReceipts).toBe(0);
    expect(c.integrityFailures).toBe(0);
    expect(c.integrityChecks).toBe(c.points + c.shards); // after each kill, and once at the end of each kiosk's run
    // Every seller event acked; alarms wait for an operator (none plays here) and are counted apart.
    expect(c.pendingEventsAtEnd).toBe(0);
    expect(c.pendingAtEnd).toBe(c.pendingAlarmsAtEnd);
    expect(c.receipts).toBe(c.kioskHandovers);
  });

  it('outage: every receipt made offline reaches the seller exactly once', () => {
    const o = part('outage');
    expect(o.receipts).toBe(QUICK.outagePickups);
    expect(o.missing).toBe(0);
    expect(o.duplicates).toBe(0);
  });

  it('hostile broker: the kiosk stays up and serves every offline pickup', () => {
    const h = part('hostile');
    expect(h.sessions).toBeGreaterThanOrEqual(h.scenarios);
    expect(h.stayedUp).toBe(true);
    expect(h.pickupsOk).toBe(h.pickups);
    // Nothing held: after a full GC its heap is back near where it began (read from its own /metrics).
    expect(h.heapBeforeMiB).toBeGreaterThan(0);
    expect(h.heapAfterGcMiB).toBeGreaterThan(0);
    expect(h.heapAfterGcMiB).toBeLessThan(h.heapBeforeMiB + 16);
    expect(h.externalAfterGcMiB).toBeLessThan(16);
  });

  it('fuzz: every inbound path fed random input, 0 crashes and 0 unlock pulses', () => {
    const f = part('fuzz');
    const q = QUICK.fuzz;
    expect(f.inbound.runs).toBe(q.inbound);
    expect(f.http.runs).toBe(q.http);
    expect(f.config.random.runs + f.config.mutated.runs).toBe(q.configRandom + q.configMutated);
    expect(f.link.map((l) => l.payloads)).toEqual(q.linkBrokers.map(() => q.linkPayloads));
    expect(f.crashes).toBe(0);
    expect(f.unlockPulses).toBe(0);
    expect(f.actedOn).toBe(0);
    // Every answer counted, the kiosk process still up, the link's state as it was.
    expect(Object.values(f.http.statuses).reduce((a, x) => a + x, 0)).toBe(q.http);
    expect(f.http.processUp && f.http.answering).toBe(true);
    expect(f.inbound.parcelStates.every((s) => s === 'expected')).toBe(true);
    expect(f.inbound.integrity).toBe('ok');
    for (const l of f.link) {
      expect(l.handled).toBeGreaterThanOrEqual(l.expected);
      expect(l.parcelsUnchanged).toBe(true);
      expect(l.lastSeq).toBe(5000);
      expect(l.goodAfter).toBe(5001);
    }
  });

  it('TLS and ACLs: every allowed case works and every denial is observed on the shipped Mosquitto config', () => {
    const a = part('acl');
    expect(a.intruders).toBe(QUICK.aclIntruders);
    expect(a.cases.filter((c) => !c.observed)).toEqual([]);
    expect(a.unexpected).toBe(0);
    // Five denials per intruding kiosk and four refused connections; five allowed deliveries.
    expect(a.refused).toBe(5 * QUICK.aclIntruders + 4);
    expect(a.allowed).toBe(5);
    expect(a.kioskStayedConnected).toBe(true);
  });

  it('brute force: no wrong code opens a door; the right code for another parcel still does', () => {
    const b = part('brute');
    expect(b.fast.tries).toBe(QUICK.bruteTries);
    expect(b.fast.opened + b.paced.opened).toBe(0);
    // The next person, with the right code for a parcel nobody guessed at, gets the door: at once or after
    // the kiosk-wide wait, never refused for the parcels the stranger tried.
    expect(b.other.opened).toBe(true);
    expect(b.other.screen).toBe('door-open');
    expect([null, 'kiosk']).toContain(b.other.first.why);
  });

  it('privacy: no code in the database, WAL, log, MQTT or pages; no template left once its parcel left', () => {
    const p = part('privacy');
    expect(Object.values(p.pickups).reduce((a, x) => a + x, 0)).toBe(QUICK.privacyPerMedium * 5);
    expect(p.mqttMessages).toBeGreaterThan(0);
    expect(p.codeTraces).toEqual({});
    expect(p.templates).toBe(QUICK.privacyPerMedium);
    // No 32-byte stretch of any template in any file of the data directory (secure_delete, WAL truncated).
    expect(p.templateTraces).toEqual({});
  });

  it('fleet: every event from every kiosk recorded, with a seller process killed mid-run', () => {
    const f = part('fleet');
    expect(f.kiosks).toBe(QUICK.fleet.kiosks);
    expect(f.lost).toBe(0);
    expect(f.recorded).toBe(f.events);
    expect(f.verifies).toBeGreaterThan(0);
  });
});
