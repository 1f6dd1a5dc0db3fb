/**
 * Test support for the link and the seller: the proof's own helpers (real
 * brokers, a kiosk with its store and link, signed messages as sellers and
 * kiosks make them, a polling wait), shared so nothing is written twice.
 */
export * from '../../proof/lib/link-kiosk.js';
