import { CameraFrameError, decodeFrame } from '../../drivers/scanner/camera.js';
import type { ScanRead } from '../../drivers/scanner/contract.js';
import { HttpError } from './http.js';

/** Decodes the barcodes in a PNG camera frame (POST /sim/scan { png }). A bad image is a 400, not a crash. */
export async function decodePng(png: Buffer): Promise<ScanRead[]> {
  try {
    return await decodeFrame(png);
  } catch (e) {
    if (e instanceof CameraFrameError) throw new HttpError(400, `not a usable PNG frame: ${e.message}`);
    throw e;
  }
}
