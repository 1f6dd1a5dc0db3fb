/**
 * The Scanner contract against CameraScanner: each scan renders the text as a
 * label (Code 128 when the AIM id asks for it, else QR), composes it into a
 * rotated, noisy 640×480 frame and submits the frame, as a capture loop would.
 */
import { CameraScanner } from '../../drivers/scanner/camera-scanner.js';
import { composeFrame, renderLabel } from '../../drivers/scanner/camera-synth.js';
import { scannerContract } from './contracts/scanner.js';

let seed = 1;

scannerContract('camera frames through zxing-wasm', async () => {
  const scanner = new CameraScanner();
  return {
    scanner,
    scan: async (text, aim) => {
      const code128 = aim === ']C0';
      const label = await renderLabel(code128 ? 'code128' : 'qr', text, code128 ? 2 : 1);
      const frame = composeFrame(label, { width: 640, height: 480, angleDeg: code128 ? 4 : 20, zoom: code128 ? 1 : 1.5, seed: seed++ });
      await scanner.submit(frame);
    },
    supportsAim: true,
    dispose: async () => undefined,
  };
});
