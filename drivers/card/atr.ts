/**
 * Telling an NFC tag from an ISO 7816-4 card by its ATR. Contactless PC/SC
 * readers build an ATR for what is on them (PC/SC part 3): a storage card
 * (NTAG, MIFARE Ultralight) carries the registered application provider id
 * A0 00 00 03 06 in its historical bytes; anything else is a processor card.
 */
import type { CardKind } from './contract.js';

/** `80 4F 0C` then RID A0 00 00 03 06: PC/SC part 3 "storage card" marker. */
const STORAGE_CARD_MARKER = Buffer.from([0x80, 0x4f, 0x0c, 0xa0, 0x00, 0x00, 0x03, 0x06]);

export function cardKindFromAtr(atr: Buffer): CardKind {
  return atr.includes(STORAGE_CARD_MARKER) ? 'ntag' : 'iso7816';
}

/** XOR of every byte after TS: the TCK an ATR offering T=1 must end with. */
function withTck(bytes: number[]): Buffer {
  let tck = 0;
  for (const b of bytes.slice(1)) tck ^= b;
  return Buffer.from([...bytes, tck]);
}

/**
 * ATR of the simulated ISO card: T=0 and T=1 offered, historical bytes "PKIOSK".
 * 3B 86 80 01 | 50 4B 49 4F 53 4B | TCK
 */
export const SIM_CARD_ATR = withTck([0x3b, 0x86, 0x80, 0x01, 0x50, 0x4b, 0x49, 0x4f, 0x53, 0x4b]);

/**
 * ATR a PC/SC reader reports for an NTAG 21x / MIFARE Ultralight:
 * standard 03 (ISO 14443 A part 3), card name 00 03.
 */
export const SIM_NTAG_ATR = withTck([
  0x3b, 0x8f, 0x80, 0x01, 0x80, 0x4f, 0x0c, 0xa0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00,
  0x00,
]);
