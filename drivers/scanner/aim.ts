/**
 * AIM symbology identifiers (ISO/IEC 15424): a scanner may put `]` + code
 * character + modifier character before the data, e.g. `]Q1` (QR Code),
 * `]d2` (GS1 DataMatrix), `]C0` (Code 128), `]E0` (EAN-13).
 */

/** Code characters and the symbologies they name. */
export const AIM_CODES: Readonly<Record<string, string>> = {
  A: 'Code 39',
  B: 'Telepen',
  C: 'Code 128',
  D: 'Code One',
  E: 'EAN/UPC',
  F: 'Codabar',
  G: 'Code 93',
  H: 'Code 11',
  I: 'Interleaved 2 of 5',
  J: 'DotCode',
  K: 'Code 16K',
  L: 'PDF417',
  M: 'MSI',
  N: 'Anker',
  O: 'Codablock',
  P: 'Plessey',
  Q: 'QR Code',
  R: 'Straight 2 of 5 (2 bar)',
  S: 'Straight 2 of 5 (3 bar)',
  U: 'MaxiCode',
  X: 'Other',
  Z: 'Non-barcode',
  d: 'Data Matrix',
  e: 'GS1 DataBar',
  g: 'Grid Matrix',
  h: 'Han Xin',
  o: 'OCR',
  p: 'PosiCode',
  s: 'SuperCode',
  z: 'Aztec',
};

const MODIFIER = /^[0-9A-Za-z]$/;

export interface AimSplit {
  /** The three-character identifier (`]Q1`), or null when the text carries none. */
  symbology: string | null;
  /** The data after the identifier. */
  text: string;
}

/**
 * Splits a known AIM identifier off the front of `line`. Only known code
 * characters count, so data that merely starts with `]` stays intact.
 */
export function splitAim(line: string): AimSplit {
  if (line.length >= 3 && line[0] === ']') {
    const code = line[1];
    const modifier = line[2];
    if (Object.hasOwn(AIM_CODES, code) && MODIFIER.test(modifier)) {
      return { symbology: line.slice(0, 3), text: line.slice(3) };
    }
  }
  return { symbology: null, text: line };
}

/** The symbology's name for an identifier like `]Q1`, or null when unknown. */
export function aimName(symbology: string): string | null {
  if (symbology.length !== 3 || symbology[0] !== ']') return null;
  return AIM_CODES[symbology[1]] ?? null;
}
