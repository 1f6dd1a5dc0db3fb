import {
  BinaryBitmap,
  Code128Reader,
  Code39Reader,
  DataMatrixReader,
  EAN13Reader,
  ITFReader,
  DecodeHintType,
  HybridBinarizer,
  QRCodeReader,
  RGBLuminanceSource,
  type Reader,
} from '@zxing/library';
import { LINEAR_SYMBOLOGIES, toGrey, type CameraSymbology, type FoundSymbol, type FrameDecoder, type Pixels } from './camera-frame.js';

/**
 * The pure-JavaScript decoder (@zxing/library, a port of ZXing Java): the
 * fallback when the WebAssembly decoder cannot load. Each symbology's reader
 * runs on the same binarized frame, so one frame can give a QR and a Code 128.
 * It finds at most one symbol per symbology per frame; it has no EAN-8 reader.
 */

/** AIM identifiers for what these readers return (the library does not report them). */
const READERS: { format: CameraSymbology; aim: string; make: () => Reader }[] = [
  { format: 'qr', aim: ']Q1', make: () => new QRCodeReader() },
  { format: 'datamatrix', aim: ']d1', make: () => new DataMatrixReader() },
  { format: 'code128', aim: ']C0', make: () => new Code128Reader() },
  { format: 'itf', aim: ']I0', make: () => new ITFReader() },
  { format: 'code39', aim: ']A0', make: () => new Code39Reader() },
  { format: 'ean13', aim: ']E0', make: () => new EAN13Reader() },
];

export function createJsDecoder(): FrameDecoder {
  const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);
  const readers = READERS.map((r) => ({ ...r, reader: r.make() }));
  const linear = readers.filter((r) => LINEAR_SYMBOLOGIES.includes(r.format));
  const run = (p: Pixels, use: typeof readers): FoundSymbol[] => {
    const grey = toGrey(p);
    const lum = new Uint8ClampedArray(grey.buffer, grey.byteOffset, grey.byteLength);
    const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(lum, p.width, p.height)));
    const out: FoundSymbol[] = [];
    for (const r of use) {
      try {
        const result = r.reader.decode(bitmap, hints);
        out.push({ text: result.getText(), symbology: r.aim, format: r.format });
      } catch {
        // NotFound / Checksum / Format: no readable symbol of this kind in the frame
      } finally {
        r.reader.reset();
      }
    }
    return out;
  };
  return {
    name: 'zxing-js',
    decode: async (p) => run(p, readers),
    decodeLinear: async (p) => run(p, linear),
  };
}
