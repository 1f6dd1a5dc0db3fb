/**
 * What the kiosk does with a card, as APDU sequences over a `transmit`
 * function. Shared by the PC/SC driver and the in-process sim, so both speak
 * exactly the same commands.
 */
import { CardError } from './contract.js';
import {
  MAX_CHUNK,
  MAX_OFFSET,
  NTAG_FIRST_USER_PAGE,
  NTAG_READ_BYTES,
  fileIdHex,
  getResponse,
  ntagRead,
  parseResponse,
  readBinary,
  readBinaryStep,
  selectFile,
  statusError,
  updateBinaryChunks,
  verify,
  withLe,
} from './apdu.js';
import { findNdefMessage, firstTextRecord } from './ndef.js';

/** Sends one command APDU, resolves with the raw response APDU (data + SW1 SW2). */
export type Transmit = (command: Buffer) => Promise<Buffer>;

/** The longest file `readFile` accepts unless told otherwise (a slip is < 1 KiB). */
export const DEFAULT_MAX_FILE_BYTES = 8192;
/** NTAG216 has 231 pages; a PC/SC page number is one byte. Reading stops here. */
const NTAG_LAST_PAGE = 0xff;

/**
 * Sends a command and collects T=0 continuation: 61xx means xx more bytes wait
 * for GET RESPONSE. Returns the whole response APDU.
 */
export async function exchange(transmit: Transmit, command: Buffer): Promise<Buffer> {
  let raw = await transmit(command);
  const parts: Buffer[] = [];
  for (let rounds = 0; rounds < 64; rounds++) {
    const r = parseResponse(raw);
    if (!r || r.sw >> 8 !== 0x61) break;
    parts.push(r.data);
    raw = await transmit(getResponse(r.sw & 0xff));
  }
  return parts.length ? Buffer.concat([...parts, raw]) : raw;
}

async function expectOk(transmit: Transmit, command: Buffer, what: string): Promise<Buffer> {
  const raw = await exchange(transmit, command);
  const r = parseResponse(raw);
  if (!r) throw new CardError('failed', `${what}: answer of ${raw.length} byte(s) has no status word`);
  const err = statusError(r.sw, what);
  if (err) throw err;
  return r.data;
}

/** VERIFY (P2 = 0x01). Rejects with CardError wrong-pin (triesLeft), blocked, … */
export async function verifyPin(transmit: Transmit, pin: string): Promise<void> {
  await expectOk(transmit, verify(pin), 'VERIFY');
}

export async function selectEf(transmit: Transmit, fileId: number): Promise<void> {
  await expectOk(transmit, selectFile(fileId), `SELECT EF ${fileIdHex(fileId)}`);
}

/** SELECT the EF, then READ BINARY in chunks of at most 255 bytes to its end. */
export async function readFile(transmit: Transmit, fileId: number, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<Buffer> {
  await selectEf(transmit, fileId);
  const what = `READ BINARY of EF ${fileIdHex(fileId)}`;
  const parts: Buffer[] = [];
  let offset = 0;
  let le = MAX_CHUNK;
  let named = false; // Le came from a 6Cxx: the card said exactly that much is left
  for (;;) {
    if (offset > MAX_OFFSET) {
      // 15-bit offsets: nothing past 32 KiB is addressable with READ BINARY
      throw new CardError('failed', `${what}: file is longer than ${MAX_OFFSET + 1} bytes`);
    }
    const step = readBinaryStep(await exchange(transmit, readBinary(offset, le)), le, what);
    switch (step.action) {
      case 'fail':
        throw step.error;
      case 'end':
        return Buffer.concat(parts);
      case 'retry':
        if (named) throw new CardError('failed', `${what}: the card keeps changing the length it asks for`);
        le = step.le;
        named = true;
        continue;
      case 'append':
        parts.push(step.data);
        offset += step.data.length;
        if (offset > maxBytes) throw new CardError('failed', `${what}: file is longer than ${maxBytes} bytes`);
        if (!step.more || named) return Buffer.concat(parts);
        le = MAX_CHUNK;
        break;
    }
  }
}

/** SELECT the EF, then UPDATE BINARY from offset 0 in chunks of at most 255 bytes. */
export async function updateFile(transmit: Transmit, fileId: number, data: Buffer): Promise<void> {
  if (data.length === 0) throw new RangeError('nothing to write: data is empty');
  const chunks = updateBinaryChunks(data);
  await selectEf(transmit, fileId);
  let offset = 0;
  for (const command of chunks) {
    await expectOk(transmit, command, `UPDATE BINARY of EF ${fileIdHex(fileId)} at offset ${offset}`);
    offset += command[4];
  }
}

/**
 * Reads an NTAG's TLV area page by page (FF B0, 16 bytes = 4 pages at a time)
 * until the NDEF message is complete, then returns its first Text record's text.
 */
export async function readNdefText(transmit: Transmit): Promise<string> {
  const parts: Buffer[] = [];
  let have = 0;
  let page = NTAG_FIRST_USER_PAGE;
  for (;;) {
    const area = Buffer.concat(parts);
    const tlv = findNdefMessage(area);
    if (tlv.ok) {
      const text = firstTextRecord(tlv.message);
      if (!text.ok) throw new CardError('failed', `NDEF on the tag: ${text.reason}`);
      return text.text;
    }
    if (!tlv.needMore) throw new CardError('failed', `NDEF on the tag: ${tlv.reason}`);
    if (page > NTAG_LAST_PAGE) throw new CardError('failed', 'NDEF on the tag: the message runs past the last page');
    const what = `READ BINARY of tag page ${page}`;
    let le = NTAG_READ_BYTES;
    let raw = await exchange(transmit, ntagRead(page, le));
    let r = parseResponse(raw);
    if (r && r.sw >> 8 === 0x6c && (r.sw & 0xff) !== 0 && (r.sw & 0xff) < le) {
      le = r.sw & 0xff;
      raw = await exchange(transmit, withLe(ntagRead(page), le));
      r = parseResponse(raw);
    }
    if (!r) throw new CardError('failed', `${what}: answer of ${raw.length} byte(s) has no status word`);
    const partial = r.sw === 0x6282;
    if (!partial) {
      const err = statusError(r.sw, what);
      if (err) throw err;
    }
    if (r.data.length === 0 || r.data.length > le) {
      throw new CardError('failed', `${what}: tag sent ${r.data.length} bytes for Le ${le}`, r.sw);
    }
    parts.push(r.data);
    have += r.data.length;
    page += Math.ceil(r.data.length / 4);
    if (partial || r.data.length % 4 !== 0) {
      // The tag's memory ended (or the reader sent a ragged chunk): nothing more to read.
      const last = findNdefMessage(Buffer.concat(parts));
      if (!last.ok) throw new CardError('failed', `NDEF on the tag: ${last.needMore ? `the message runs past the tag memory (${have} bytes)` : last.reason}`);
      page = NTAG_LAST_PAGE + 1;
    }
  }
}
