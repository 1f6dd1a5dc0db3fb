/**
 * The shipped Mosquitto config (deploy/mosquitto/) on a private broker
 * (proof/acl.ts, part 8 of `npm run proof`): certificates made here with the
 * openssl CLI, one CA per role. A kiosk works through TLS; another kiosk's
 * credentials can neither read its manifests nor publish as a seller; a kiosk
 * certificate is refused where sellers connect.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { aclProof, type AclResult } from '../../proof/acl.js';

let r: AclResult;
const seen = (name: string): boolean | undefined => r.cases.find((c) => c.name === name)?.observed;

beforeAll(async () => {
  r = await aclProof({ intruders: 1, say: () => undefined });
}, 30_000);

describe('the shipped Mosquitto TLS and ACL config', () => {
  it("lets a kiosk work through TLS and keeps another kiosk out of its topics and out of the sellers' role", () => {
    expect(seen('kiosk-1 connects over TLS and subscribes to its own topics')).toBe(true);
    expect(seen('the seller subscribes to its own topics ($share)')).toBe(true);
    // kiosk-2's credentials, even under kiosk-1's client id: kiosk-1 keeps its session.
    expect(r.kioskStayedConnected).toBe(true);
    // The real seller's manifest reaches kiosk-1; the intruder's (published as a seller) does not.
    expect(seen("the seller's manifest reaches kiosk-1")).toBe(true);
    expect(seen('kiosk-2 publishes as a seller to kiosk-1 (manifest, ack, reply)')).toBe(true);
    // Mosquitto grants the SUBSCRIBE and checks the ACL on each delivery: nothing arrived.
    expect(seen("kiosk-2 reads kiosk-1's manifests")).toBe(true);
    // kiosk-1's event reaches the seller through the ACL; a kiosk may not read a seller's topics.
    expect(seen("kiosk-1's event reaches the seller")).toBe(true);
    expect(seen("kiosk-2 reads the seller's events")).toBe(true);
    // Nor speak as kiosk-1 to the operator.
    expect(seen("kiosk-1's alarm reaches the operator")).toBe(true);
    expect(seen("kiosk-2 publishes kiosk-1's status")).toBe(true);
    expect(seen("kiosk-2 publishes kiosk-1's alarm")).toBe(true);
  });

  it('refuses a kiosk certificate where sellers connect, and a connection without a certificate', () => {
    expect(seen('a kiosk certificate where sellers connect')).toBe(true);
    expect(seen('a seller certificate where kiosks connect')).toBe(true);
    expect(seen('TLS without a client certificate')).toBe(true);
    expect(seen('plain MQTT on the kiosk listener')).toBe(true);
  });

  it('sees every case as expected', () => {
    expect(r.cases.filter((c) => !c.observed)).toEqual([]);
    expect(r.refused).toBe(9);
    expect(r.allowed).toBe(5);
  });
});
