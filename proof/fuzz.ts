/**
 * Fuzz: fast-check over every inbound path. PKP1 envelopes a trusted seller
 * or operator signed, with hostile bodies, on every topic the kiosk reads
 * (its inbound handler); random and mutated payloads on every topic under
 * the kiosk's own, through a real broker to its link; random and almost-right
 * HTTP bodies on every route of the built kiosk process; config files. The
 * same code runs in the tests (test/fuzz/, test/e2e/link-fuzz.test.ts) with
 * their own counts. Nothing may crash and no door may be unlocked.
 */
import { fuzzConfig, type ConfigFuzzResult } from './lib/fuzz-config.js';
import { fuzzHttpBodies, type HttpFuzzResult } from './lib/fuzz-http.js';
import { fuzzSignedInbound, type InboundFuzzResult } from './lib/fuzz-inbound.js';
import { fuzzLink, type LinkFuzzResult } from './lib/fuzz-link.js';
import type { BrokerKind } from './lib/link-kiosk.js';
import { createScene } from './lib/scene.js';
import type { Say } from './lib/util.js';

export interface FuzzPlan {
  /** Signed envelopes with hostile bodies, straight to the inbound handler. */
  inbound: number;
  configRandom: number;
  configMutated: number;
  /** HTTP bodies posted to the kiosk process. */
  http: number;
  /** Payloads published to the kiosk's link on each broker. */
  linkPayloads: number;
  linkBrokers: BrokerKind[];
  seed: number;
}

export interface FuzzResult {
  inbound: InboundFuzzResult & { seconds: number };
  config: { random: ConfigFuzzResult; mutated: ConfigFuzzResult; seconds: number };
  http: HttpFuzzResult & { seconds: number; processUp: boolean };
  link: LinkFuzzResult[];
  /** Inputs of every kind. */
  runs: number;
  /**
   * Exceptions out of a handler or the config loader, handlers that failed inside, 5xx answers,
   * requests left unanswered, link disconnects, a kiosk process or link that did not stay up.
   */
  crashes: number;
  /** Unlock pulses of every compartment of the kiosk process after the HTTP bodies. */
  unlockPulses: number;
  /** Messages the link acted on (a manifest applied, an ack taken) out of the fuzzed payloads. */
  actedOn: number;
  seconds: number;
}

export async function fuzzProof(o: FuzzPlan & { say: Say }): Promise<FuzzResult> {
  const t0 = Date.now();
  let t = Date.now();
  const inbound = { ...fuzzSignedInbound({ runs: o.inbound, seed: o.seed }), seconds: 0 };
  inbound.seconds = (Date.now() - t) / 1000;
  o.say(`  fuzz: ${inbound.runs} signed envelopes, ${inbound.crashes} crashes, ${inbound.drops} refused, in ${inbound.seconds.toFixed(1)} s`);

  t = Date.now();
  const config = { ...fuzzConfig({ random: o.configRandom, mutated: o.configMutated, seeds: [o.seed + 1, o.seed + 2] }), seconds: 0 };
  config.seconds = (Date.now() - t) / 1000;
  o.say(`  fuzz: ${o.configRandom + o.configMutated} config files, ${config.random.crashes + config.mutated.crashes} crashes, in ${config.seconds.toFixed(1)} s`);

  t = Date.now();
  const scene = await createScene({ name: 'fuzz', compartments: 12 });
  let http: FuzzResult['http'];
  try {
    const r = await fuzzHttpBodies({ url: scene.kiosk.url, runs: o.http, seed: o.seed });
    http = { ...r, seconds: (Date.now() - t) / 1000, processUp: scene.kiosk.running };
  } finally {
    await scene.close();
  }
  o.say(`  fuzz: ${http.runs} HTTP bodies, ${http.serverErrors} 5xx, ${http.noAnswer} unanswered, ${http.unlockPulses} unlock pulses, in ${http.seconds.toFixed(1)} s`);

  const link: LinkFuzzResult[] = [];
  for (const broker of o.linkBrokers) {
    const r = await fuzzLink({ broker, payloads: o.linkPayloads, seed: o.seed });
    link.push(r);
    o.say(`  fuzz: ${r.payloads} payloads to the link over ${broker}, ${r.acted} acted on, ${r.disconnects} disconnects, in ${r.seconds.toFixed(1)} s`);
  }

  const crashes =
    inbound.crashes +
    inbound.handlingFailed +
    config.random.crashes +
    config.mutated.crashes +
    http.serverErrors +
    http.noAnswer +
    (http.answering && http.processUp ? 0 : 1) +
    link.reduce((a, l) => a + l.disconnects + (l.connectedAtEnd ? 0 : 1), 0);
  return {
    inbound,
    config,
    http,
    link,
    runs: o.inbound + o.configRandom + o.configMutated + o.http + link.reduce((a, l) => a + l.payloads, 0),
    crashes,
    unlockPulses: http.unlockPulses,
    actedOn: link.reduce((a, l) => a + l.acted, 0),
    seconds: (Date.now() - t0) / 1000,
  };
}
