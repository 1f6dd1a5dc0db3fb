import { BinaryBitmap, Code128Reader, DecodeHintType, HybridBinarizer, QRCodeReader, RGBLuminanceSource, type Reader } from '@zxing/library';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { makeLabelPng } from '../../../src/seller/index.js';

function decode(png: Buffer, reader: Reader): string {
  const img = PNG.sync.read(png);
  const grey = new Uint8ClampedArray(img.width * img.height);
  for (let i = 0; i < grey.length; i++) grey[i] = img.data[i * 4]!; // Black on white: one channel is enough.
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(grey, img.width, img.height)));
  return reader.decode(bitmap, new Map([[DecodeHintType.TRY_HARDER, true]])).getText();
}

describe('parcel label', () => {
  it('carries the slip as a QR code and the txn as Code 128', async () => {
    const slip = `PKS1.${'AbCd-_09'.repeat(40)}`;
    const png = await makeLabelPng(slip, 'T20261121-004217');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(decode(png, new QRCodeReader())).toBe(slip);
    expect(decode(png, new Code128Reader())).toBe('T20261121-004217');
  });
});
