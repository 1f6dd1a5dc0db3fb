/**
 * R30x / AS608 fingerprint module packets, as in the modules' user manuals.
 * Pure: bytes ⇄ packets. Nothing here throws on bytes from the wire.
 *
 *   EF 01 | address (4) | packet id (1) | length (2) | payload | checksum (2)
 *
 * `length` counts payload + checksum; the checksum is the low 16 bits of the
 * sum of packet id, both length bytes and the payload. All numbers big-endian.
 */

export const DEFAULT_ADDRESS = 0xffffffff;
export const DEFAULT_PASSWORD = 0;
/** An `r30x-char` character file, as exchanged by UpChar / DownChar. */
export const CHAR_FILE_SIZE = 512;
/** Data packet payload size when the module's system parameters are not read. */
export const DEFAULT_PACKET_SIZE = 128;
/** The largest payload a module sends or takes (a 256-byte data packet). */
export const MAX_PAYLOAD = 256;
/** Bytes around the payload: header 2, address 4, id 1, length 2, checksum 2. */
export const PACKET_OVERHEAD = 11;

export type PacketKind = 'command' | 'data' | 'ack' | 'end';

const KIND_ID: Record<PacketKind, number> = { command: 0x01, data: 0x02, ack: 0x07, end: 0x08 };

function kindOf(id: number): PacketKind | undefined {
  switch (id) {
    case 0x01:
      return 'command';
    case 0x02:
      return 'data';
    case 0x07:
      return 'ack';
    case 0x08:
      return 'end';
    default:
      return undefined;
  }
}

export interface R30xPacket {
  address: number;
  kind: PacketKind;
  payload: Buffer;
}

function checksum(id: number, length: number, payload: Buffer): number {
  let sum = id + (length >> 8) + (length & 0xff);
  for (const b of payload) sum += b;
  return sum & 0xffff;
}

/** Encodes one packet. Payloads over MAX_PAYLOAD are the caller's bug, so this one throws. */
export function encodePacket(p: R30xPacket): Buffer {
  if (p.payload.length > MAX_PAYLOAD) {
    throw new RangeError(`r30x payload of ${p.payload.length} bytes is over ${MAX_PAYLOAD}`);
  }
  const id = KIND_ID[p.kind];
  const length = p.payload.length + 2;
  const out = Buffer.alloc(PACKET_OVERHEAD + p.payload.length);
  out[0] = 0xef;
  out[1] = 0x01;
  out.writeUInt32BE(p.address >>> 0, 2);
  out[6] = id;
  out.writeUInt16BE(length, 7);
  p.payload.copy(out, 9);
  out.writeUInt16BE(checksum(id, length, p.payload), 9 + p.payload.length);
  return out;
}

export type DecodeEvent =
  | { type: 'packet'; packet: R30xPacket }
  /** A whole packet arrived but its checksum is wrong; it was dropped. */
  | { type: 'bad-checksum'; address: number; kind: PacketKind; expected: number; received: number }
  /** Bytes that were not part of any packet were dropped. */
  | { type: 'garbage'; bytes: number };

/**
 * Incremental decoder. Feed it chunks as they arrive, split or joined any way;
 * it returns what it found. On a bad header, packet id, length or checksum it
 * drops bytes up to the next `EF 01` and carries on (resync).
 */
export class R30xDecoder {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of a bad-checksum packet still ahead: already reported, so not counted as garbage. */
  private reported = 0;

  /** Bytes held while waiting for the rest of a packet. */
  get buffered(): number {
    return this.buf.length;
  }

  /** Drops a half packet (after the line was lost, a fresh start). */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.reported = 0;
  }

  push(chunk: Buffer): DecodeEvent[] {
    return this.scan(this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]), false);
  }

  /**
   * The line went quiet: what is held is not the start of a packet after all
   * (a packet cut off mid-way, or a false header in noise). Drops held headers
   * one by one, decoding any whole packet found behind them, and leaves
   * nothing held.
   */
  flush(): DecodeEvent[] {
    return this.scan(this.buf, true);
  }

  private scan(input: Buffer, final: boolean): DecodeEvent[] {
    const events: DecodeEvent[] = [];
    let buf = input;
    let garbage = 0;
    const drop = (n: number): void => {
      const quiet = Math.min(n, this.reported);
      this.reported -= quiet;
      garbage += n - quiet;
      buf = buf.subarray(n);
    };
    const flushGarbage = (): void => {
      if (garbage > 0) events.push({ type: 'garbage', bytes: garbage });
      garbage = 0;
    };

    for (;;) {
      const start = findHeader(buf);
      if (start < 0) {
        // Keep a trailing 0xEF: it may be the first half of a header.
        const keep = !final && buf.length > 0 && buf[buf.length - 1] === 0xef ? 1 : 0;
        drop(buf.length - keep);
        break;
      }
      if (start > 0) drop(start);
      this.reported = 0; // a header inside a bad packet: the rest is judged afresh
      if (buf.length < 9) {
        if (!final) break;
        drop(2);
        continue;
      }
      const id = buf[6];
      const kind = kindOf(id);
      const length = buf.readUInt16BE(7);
      if (kind === undefined || length < 2 || length > MAX_PAYLOAD + 2) {
        drop(1);
        continue;
      }
      const total = 9 + length;
      if (buf.length < total) {
        if (!final) break;
        drop(2);
        continue;
      }
      const address = buf.readUInt32BE(2);
      const payload = Buffer.from(buf.subarray(9, total - 2));
      const expected = checksum(id, length, payload);
      const received = buf.readUInt16BE(total - 2);
      flushGarbage();
      if (expected === received) {
        events.push({ type: 'packet', packet: { address, kind, payload } });
        buf = buf.subarray(total);
      } else {
        events.push({ type: 'bad-checksum', address, kind, expected, received });
        // Skip only the header: a real packet may start inside what looked like one.
        buf = buf.subarray(2);
        this.reported = total - 2;
      }
    }
    flushGarbage();
    this.buf = Buffer.from(buf);
    return events;
  }
}

function findHeader(buf: Buffer): number {
  let i = buf.indexOf(0xef);
  while (i >= 0 && i + 1 < buf.length) {
    if (buf[i + 1] === 0x01) return i;
    i = buf.indexOf(0xef, i + 1);
  }
  return -1;
}

// ── Commands ────────────────────────────────────────────────────────────────

/** Instruction codes of the commands this project uses or simulates. */
export const Instruction = {
  GenImg: 0x01,
  Img2Tz: 0x02,
  Match: 0x03,
  Store: 0x06,
  LoadChar: 0x07,
  UpChar: 0x08,
  DownChar: 0x09,
  DeleteChar: 0x0c,
  Empty: 0x0d,
  ReadSysPara: 0x0f,
  VfyPwd: 0x13,
  TemplateNum: 0x1d,
} as const;

export type InstructionName = keyof typeof Instruction;

export function instructionName(code: number): InstructionName | undefined {
  for (const [name, value] of Object.entries(Instruction)) {
    if (value === code) return name as InstructionName;
  }
  return undefined;
}

/** A command packet: instruction code then its parameters. */
export function encodeCommand(address: number, name: InstructionName, params: Buffer = Buffer.alloc(0)): Buffer {
  return encodePacket({ address, kind: 'command', payload: Buffer.concat([Buffer.of(Instruction[name]), params]) });
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export const commands = {
  vfyPwd: (address: number, password: number): Buffer => encodeCommand(address, 'VfyPwd', u32(password)),
  readSysPara: (address: number): Buffer => encodeCommand(address, 'ReadSysPara'),
  genImg: (address: number): Buffer => encodeCommand(address, 'GenImg'),
  img2Tz: (address: number, bufferId: 1 | 2): Buffer => encodeCommand(address, 'Img2Tz', Buffer.of(bufferId)),
  match: (address: number): Buffer => encodeCommand(address, 'Match'),
  upChar: (address: number, bufferId: 1 | 2): Buffer => encodeCommand(address, 'UpChar', Buffer.of(bufferId)),
  downChar: (address: number, bufferId: 1 | 2): Buffer => encodeCommand(address, 'DownChar', Buffer.of(bufferId)),
};

/** Reads a command packet (the module's side). */
export function parseCommand(p: R30xPacket): { instruction: number; params: Buffer } | undefined {
  if (p.kind !== 'command' || p.payload.length < 1) return undefined;
  return { instruction: p.payload[0], params: p.payload.subarray(1) };
}

/** An acknowledge packet: confirmation code then the reply's parameters. */
export function encodeAck(address: number, code: number, params: Buffer = Buffer.alloc(0)): Buffer {
  return encodePacket({ address, kind: 'ack', payload: Buffer.concat([Buffer.of(code), params]) });
}

export function parseAck(p: R30xPacket): { code: number; params: Buffer } | undefined {
  if (p.kind !== 'ack' || p.payload.length < 1) return undefined;
  return { code: p.payload[0], params: p.payload.subarray(1) };
}

/**
 * Splits `data` into data packets of `packetSize` bytes, the last one an end
 * packet, as UpChar sends and DownChar takes.
 */
export function encodeDataPackets(address: number, data: Buffer, packetSize: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length || out.length === 0; at += packetSize) {
    const part = data.subarray(at, at + packetSize);
    const last = at + packetSize >= data.length;
    out.push(encodePacket({ address, kind: last ? 'end' : 'data', payload: part }));
  }
  return out;
}

// ── Replies ────────────────────────────────────────────────────────────────

/** Data packet sizes by the code in the system parameters. */
export const PACKET_SIZES = [32, 64, 128, 256] as const;

export interface SystemParameters {
  statusRegister: number;
  systemId: number;
  librarySize: number;
  securityLevel: number;
  address: number;
  /** Data packet payload size in bytes (32, 64, 128 or 256). */
  packetSize: number;
  baudRate: number;
}

/** Reads the 16 parameter bytes of a ReadSysPara reply; undefined when they do not fit. */
export function parseSystemParameters(params: Buffer): SystemParameters | undefined {
  if (params.length < 16) return undefined;
  const packetSize = PACKET_SIZES[params.readUInt16BE(12)];
  if (packetSize === undefined) return undefined;
  return {
    statusRegister: params.readUInt16BE(0),
    systemId: params.readUInt16BE(2),
    librarySize: params.readUInt16BE(4),
    securityLevel: params.readUInt16BE(6),
    address: params.readUInt32BE(8),
    packetSize,
    baudRate: params.readUInt16BE(14) * 9600,
  };
}

export function encodeSystemParameters(p: SystemParameters): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16BE(p.statusRegister, 0);
  b.writeUInt16BE(p.systemId, 2);
  b.writeUInt16BE(p.librarySize, 4);
  b.writeUInt16BE(p.securityLevel, 6);
  b.writeUInt32BE(p.address >>> 0, 8);
  const code = (PACKET_SIZES as readonly number[]).indexOf(p.packetSize);
  b.writeUInt16BE(code < 0 ? 2 : code, 12);
  b.writeUInt16BE(Math.round(p.baudRate / 9600), 14);
  return b;
}

/** The score of a Match reply (0 when the parameters are missing). */
export function parseMatchScore(params: Buffer): number {
  return params.length >= 2 ? params.readUInt16BE(0) : 0;
}

// ── Confirmation codes ───────────────────────────────────────────────────────

export const Confirm = {
  ok: 0x00,
  packetError: 0x01,
  noFinger: 0x02,
  imageFail: 0x03,
  imageMessy: 0x06,
  tooFewPoints: 0x07,
  noMatch: 0x08,
  notFound: 0x09,
  mergeFail: 0x0a,
  badPage: 0x0b,
  badTemplate: 0x0c,
  uploadFail: 0x0d,
  receiveFail: 0x0e,
  imageUploadFail: 0x0f,
  deleteFail: 0x10,
  clearFail: 0x11,
  wrongPassword: 0x13,
  noValidImage: 0x15,
  flashError: 0x18,
  undefinedError: 0x19,
  badRegister: 0x1a,
  badRegisterSetting: 0x1b,
  badNotepadPage: 0x1c,
  portFail: 0x1d,
} as const;

const WORDS: ReadonlyMap<number, string> = new Map([
  [0x00, 'ok'],
  [0x01, 'packet error'],
  [0x02, 'no finger'],
  [0x03, 'image fail'],
  [0x06, 'image messy'],
  [0x07, 'too few points'],
  [0x08, 'no match'],
  [0x09, 'not found'],
  [0x0a, 'merge fail'],
  [0x0b, 'bad page'],
  [0x0c, 'bad template'],
  [0x0d, 'upload fail'],
  [0x0e, 'receive fail'],
  [0x0f, 'image upload fail'],
  [0x10, 'delete fail'],
  [0x11, 'clear fail'],
  [0x13, 'wrong password'],
  [0x15, 'no valid image'],
  [0x18, 'flash error'],
  [0x19, 'undefined error'],
  [0x1a, 'bad register'],
  [0x1b, 'bad register setting'],
  [0x1c, 'bad notepad page'],
  [0x1d, 'port fail'],
]);

/** A confirmation code in words with its hex, e.g. `wrong password (0x13)`. */
export function confirmationWords(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0').toUpperCase()}`;
  return `${WORDS.get(code) ?? 'unknown code'} (${hex})`;
}
