/**
 * The parcel label: the slip as a QR code (what the kiosk's scanner reads),
 * and under it the txn as Code 128 with the txn printed as text (for the
 * courier and the counter clerk). One PNG, black on white.
 */
import bwipjs from 'bwip-js';
import { PNG } from 'pngjs';

const MARGIN = 16;

export async function makeLabelPng(slip: string, txn: string): Promise<Buffer> {
  const qr = PNG.sync.read(await bwipjs.toBuffer({ bcid: 'qrcode', text: slip, scale: 3, paddingwidth: 4, paddingheight: 4, backgroundcolor: 'FFFFFF' }));
  const bar = PNG.sync.read(
    await bwipjs.toBuffer({
      bcid: 'code128',
      text: txn,
      scale: 2,
      height: 12,
      includetext: true,
      textxalign: 'center',
      paddingwidth: 4,
      paddingheight: 4,
      backgroundcolor: 'FFFFFF',
    }),
  );
  const width = Math.max(qr.width, bar.width) + 2 * MARGIN;
  const height = qr.height + bar.height + 3 * MARGIN;
  const out = new PNG({ width, height });
  out.data.fill(0xff);
  blit(qr, out, Math.floor((width - qr.width) / 2), MARGIN);
  blit(bar, out, Math.floor((width - bar.width) / 2), qr.height + 2 * MARGIN);
  return PNG.sync.write(out);
}

function blit(src: PNG, dst: PNG, x0: number, y0: number): void {
  for (let y = 0; y < src.height; y++) {
    src.data.copy(dst.data, ((y0 + y) * dst.width + x0) * 4, y * src.width * 4, (y + 1) * src.width * 4);
  }
}
