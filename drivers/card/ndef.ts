/**
 * NFC Forum Type 2 tag memory (NTAG 21x): the TLV area from page 4, the NDEF
 * message in it, and the first well-known Text record. Pure; never throws on
 * what a tag holds (every failure is a result with a reason).
 */

export type TlvResult =
  | { ok: true; message: Buffer }
  /** The bytes so far end inside a TLV: read at least `needed` bytes in all. */
  | { ok: false; needMore: true; needed: number }
  | { ok: false; needMore: false; reason: string };

export type TextResult = { ok: true; text: string; lang: string } | { ok: false; reason: string };

const TLV_NULL = 0x00;
const TLV_NDEF = 0x03;
const TLV_TERMINATOR = 0xfe;

/**
 * Finds the first NDEF message TLV (type 0x03) in a Type 2 tag's TLV area.
 * Skips NULL, lock/memory control and proprietary TLVs; stops at a terminator.
 */
export function findNdefMessage(area: Buffer): TlvResult {
  let i = 0;
  while (i < area.length) {
    const type = area[i];
    if (type === TLV_NULL) {
      i += 1;
      continue;
    }
    if (type === TLV_TERMINATOR) return { ok: false, needMore: false, reason: 'the tag holds no NDEF message' };
    if (i + 1 >= area.length) return { ok: false, needMore: true, needed: i + 2 };
    let len = area[i + 1];
    let head = 2;
    if (len === 0xff) {
      if (i + 3 >= area.length) return { ok: false, needMore: true, needed: i + 4 };
      len = area.readUInt16BE(i + 2);
      head = 4;
    }
    const end = i + head + len;
    if (type === TLV_NDEF) {
      if (end > area.length) return { ok: false, needMore: true, needed: end };
      return { ok: true, message: area.subarray(i + head, end) };
    }
    i = end;
  }
  return { ok: false, needMore: true, needed: i + 1 };
}

interface NdefRecord {
  tnf: number;
  chunked: boolean;
  type: Buffer;
  payload: Buffer;
}

/** Splits an NDEF message into records; a reason when it is malformed. */
export function parseNdefRecords(message: Buffer): { ok: true; records: NdefRecord[] } | { ok: false; reason: string } {
  const records: NdefRecord[] = [];
  let i = 0;
  if (message.length === 0) return { ok: false, reason: 'the NDEF message is empty' };
  for (;;) {
    if (i + 2 > message.length) return { ok: false, reason: `NDEF record header cut off at byte ${i}` };
    const header = message[i];
    const short = (header & 0x10) !== 0;
    const hasId = (header & 0x08) !== 0;
    const typeLen = message[i + 1];
    let p = i + 2;
    let payloadLen: number;
    if (short) {
      if (p + 1 > message.length) return { ok: false, reason: 'NDEF payload length cut off' };
      payloadLen = message[p]!;
      p += 1;
    } else {
      if (p + 4 > message.length) return { ok: false, reason: 'NDEF payload length cut off' };
      payloadLen = message.readUInt32BE(p);
      p += 4;
    }
    let idLen = 0;
    if (hasId) {
      if (p + 1 > message.length) return { ok: false, reason: 'NDEF id length cut off' };
      idLen = message[p]!;
      p += 1;
    }
    const typeEnd = p + typeLen;
    const payloadStart = typeEnd + idLen;
    const payloadEnd = payloadStart + payloadLen;
    if (payloadEnd > message.length) {
      return { ok: false, reason: `NDEF record at byte ${i} runs past the message (${payloadEnd} > ${message.length})` };
    }
    records.push({
      tnf: header & 0x07,
      chunked: (header & 0x20) !== 0,
      type: message.subarray(p, typeEnd),
      payload: message.subarray(payloadStart, payloadEnd),
    });
    i = payloadEnd;
    if ((header & 0x40) !== 0 || i >= message.length) return { ok: true, records };
  }
}

const TNF_WELL_KNOWN = 0x01;

/** Decodes a Text record's payload: status byte (bit 7 UTF-16, bits 5–0 language length), language, text. */
export function decodeTextPayload(payload: Buffer): TextResult {
  if (payload.length < 1) return { ok: false, reason: 'Text record has no status byte' };
  const status = payload[0];
  const utf16 = (status & 0x80) !== 0;
  const langLen = status & 0x3f;
  if (1 + langLen > payload.length) return { ok: false, reason: 'Text record language code runs past its payload' };
  const lang = payload.subarray(1, 1 + langLen).toString('latin1');
  const body = payload.subarray(1 + langLen);
  if (!utf16) {
    try {
      return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(body), lang };
    } catch {
      return { ok: false, reason: 'Text record is not valid UTF-8' };
    }
  }
  if (body.length % 2 !== 0) return { ok: false, reason: 'UTF-16 Text record has an odd length' };
  let le = false;
  let start = 0;
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) {
    le = true;
    start = 2;
  } else if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) {
    start = 2;
  }
  const units = Buffer.from(body.subarray(start));
  if (!le) units.swap16(); // Node decodes UTF-16 little-endian only; big-endian is the NDEF default
  return { ok: true, text: units.toString('utf16le'), lang };
}

/** The first well-known Text record ('T') of an NDEF message. */
export function firstTextRecord(message: Buffer): TextResult {
  const parsed = parseNdefRecords(message);
  if (!parsed.ok) return parsed;
  for (const r of parsed.records) {
    if (r.tnf === TNF_WELL_KNOWN && !r.chunked && r.type.length === 1 && r.type[0] === 0x54) {
      return decodeTextPayload(r.payload);
    }
  }
  return { ok: false, reason: 'the NDEF message has no Text record' };
}

/** TLV area → first Text record, in one call (for a whole memory dump). */
export function textFromTlvArea(area: Buffer): TextResult {
  const tlv = findNdefMessage(area);
  if (!tlv.ok) return { ok: false, reason: tlv.needMore ? 'the NDEF message runs past the tag memory read' : tlv.reason };
  return firstTextRecord(tlv.message);
}

/** One NDEF message holding one UTF-8 Text record (MB, ME set). */
export function buildTextMessage(text: string, lang = 'en'): Buffer {
  const langBytes = Buffer.from(lang, 'ascii');
  if (langBytes.length > 0x3f) throw new RangeError('language code longer than 63 bytes');
  const payload = Buffer.concat([Buffer.from([langBytes.length]), langBytes, Buffer.from(text, 'utf8')]);
  const short = payload.length < 256;
  const header = 0x80 | 0x40 | (short ? 0x10 : 0) | TNF_WELL_KNOWN;
  const len = short ? Buffer.from([payload.length]) : Buffer.alloc(4);
  if (!short) len.writeUInt32BE(payload.length);
  return Buffer.concat([Buffer.from([header, 1]), len, Buffer.from('T'), payload]);
}

/** The TLV area of a Type 2 tag holding `message`: NDEF TLV then a terminator. */
export function buildTlvArea(message: Buffer): Buffer {
  if (message.length > 0xfffe) throw new RangeError('NDEF message too long for a TLV');
  const len =
    message.length < 0xff ? Buffer.from([message.length]) : Buffer.from([0xff, message.length >> 8, message.length & 0xff]);
  return Buffer.concat([Buffer.from([TLV_NDEF]), len, message, Buffer.from([TLV_TERMINATOR])]);
}

/** NTAG216 user memory: 888 bytes from page 4. */
export const NTAG216_USER_BYTES = 888;

/**
 * A whole NTAG216 memory image (pages 0–225 user area included) holding a Text
 * record: 7-byte UID and check bytes, lock bytes, capability container
 * (E1 10 6D 00: NDEF v1.0, 872 bytes data area, read/write) and the TLV area.
 */
export function buildNtagMemory(text: string, uid = Buffer.from([0x04, 0x4b, 0x49, 0x4f, 0x53, 0x4b, 0x31])): Buffer {
  const area = buildTlvArea(buildTextMessage(text));
  if (area.length > NTAG216_USER_BYTES) throw new RangeError(`text needs ${area.length} bytes; an NTAG216 holds ${NTAG216_USER_BYTES}`);
  const mem = Buffer.alloc(16 + NTAG216_USER_BYTES + 20);
  uid.copy(mem, 0, 0, 3);
  mem[3] = 0x88 ^ uid[0] ^ uid[1] ^ uid[2];
  uid.copy(mem, 4, 3, 7);
  mem[8] = uid[3] ^ uid[4] ^ uid[5] ^ uid[6];
  mem[9] = 0x48;
  Buffer.from([0xe1, 0x10, 0x6d, 0x00]).copy(mem, 12);
  area.copy(mem, 16);
  return mem;
}
