/**
 * Shapes of what a seller or operator sends a kiosk (protocol.md), checked
 * from untrusted JSON after the envelope's signature verified. Each reader
 * returns the typed message or a reason naming the member at fault; nothing
 * here throws or touches the store.
 */
import { b64uDecode, isId, isRfc3339, isTxn, parseDue, parseRfc3339, scryptParamsOk } from '../domain/index.js';
import type { ManifestUpsertRow } from '../store/link-store.js';

export type InboundKind = 'manifest' | 'ack' | 'reply';

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Lists longer than this are refused unread (a 4 MiB envelope holds far fewer anyway). */
export const MAX_LIST = 200_000;
const MESSAGE_ID = /^[\x21-\x7e]{1,128}$/;
const BIO_TEMPLATE_BYTES = 512;

/**
 * What a message on one of this kiosk's topics is: a kind we read, 'own' for
 * the kiosk's own status and alarm topics (it hears itself through `#`), or
 * null for any other topic.
 */
export function kioskTopicKind(topic: string, kioskId: string): InboundKind | 'own' | null {
  const prefix = `pk/v1/kiosk/${kioskId}/`;
  if (!topic.startsWith(prefix)) return null;
  switch (topic.slice(prefix.length)) {
    case 'manifest':
      return 'manifest';
    case 'ack':
      return 'ack';
    case 'reply':
      return 'reply';
    case 'status':
    case 'alarm':
      return 'own';
    default:
      return null;
  }
}

/** The members every body has: `type` (checked against `expected`), `id`, `at`. */
export function readCommon(body: Record<string, unknown>, expected: string): Read<{ id: string; at: string }> {
  if (body.type !== expected) return { ok: false, reason: `type ${JSON.stringify(body.type)} on the ${expected} topic` };
  if (typeof body.id !== 'string' || !MESSAGE_ID.test(body.id)) return { ok: false, reason: 'id is not 1-128 printable ASCII' };
  if (typeof body.at !== 'string' || !isRfc3339(body.at)) return { ok: false, reason: 'at is not an RFC 3339 time' };
  return { ok: true, value: { id: body.id, at: body.at } };
}

export interface ManifestMessage {
  id: string;
  sellerId: string;
  kioskId: string;
  seq: number;
  upserts: ManifestUpsertRow[];
  cancels: string[];
}

export function readManifest(body: Record<string, unknown>): Read<ManifestMessage> {
  const common = readCommon(body, 'manifest');
  if (!common.ok) return common;
  const { sellerId, kioskId, seq } = body;
  if (typeof sellerId !== 'string' || !isId(sellerId)) return { ok: false, reason: 'sellerId is not an id' };
  if (typeof kioskId !== 'string' || !isId(kioskId)) return { ok: false, reason: 'kioskId is not an id' };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    return { ok: false, reason: 'seq is not a whole number of 0 or more' };
  }
  const rawUpserts = body.upserts ?? [];
  const rawCancels = body.cancels ?? [];
  if (!Array.isArray(rawUpserts) || rawUpserts.length > MAX_LIST) {
    return { ok: false, reason: `upserts is not a list of at most ${MAX_LIST}` };
  }
  if (!Array.isArray(rawCancels) || rawCancels.length > MAX_LIST) {
    return { ok: false, reason: `cancels is not a list of at most ${MAX_LIST}` };
  }
  const upserts: ManifestUpsertRow[] = new Array<ManifestUpsertRow>(rawUpserts.length);
  // Parcels of one manifest share few distinct holdUntil times; parsing each once halves the check of a big one.
  const times = new Map<string, number | null>();
  for (let i = 0; i < rawUpserts.length; i++) {
    const u = readUpsert(rawUpserts[i], times);
    if (typeof u === 'string') return { ok: false, reason: `upserts[${i}]: ${u}` };
    upserts[i] = u;
  }
  const cancels: string[] = new Array<string>(rawCancels.length);
  for (let i = 0; i < rawCancels.length; i++) {
    const c: unknown = rawCancels[i];
    if (typeof c !== 'string' || !isTxn(c)) return { ok: false, reason: `cancels[${i}] is not a txn` };
    cancels[i] = c;
  }
  return { ok: true, value: { id: common.value.id, sellerId, kioskId, seq, upserts, cancels } };
}

/** One upsert, or the reason it is malformed. `null` members count as absent. */
function readUpsert(v: unknown, times: Map<string, number | null>): ManifestUpsertRow | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const o = v as Record<string, unknown>;
  if (typeof o.txn !== 'string' || !isTxn(o.txn)) return 'txn is missing or not a txn';
  const row: ManifestUpsertRow = {
    txn: o.txn,
    verifier: null,
    bio: null,
    size: null,
    holdUntil: null,
    dueAmount: null,
    dueCurrency: null,
  };
  if (o.verifier !== undefined && o.verifier !== null) {
    const ver = readVerifier(o.verifier);
    if (ver === null) return 'verifier is malformed (salt 16 bytes, key 32 bytes when given, scrypt parameters within bounds)';
    row.verifier = ver;
  }
  if (o.bio !== undefined && o.bio !== null) {
    const b = o.bio as Record<string, unknown>;
    if (typeof b !== 'object' || Array.isArray(b) || b.format !== 'r30x-char' || typeof b.template !== 'string') {
      return 'bio is not { format: "r30x-char", template }';
    }
    if (b64uDecode(b.template)?.length !== BIO_TEMPLATE_BYTES) {
      return `bio.template is not ${BIO_TEMPLATE_BYTES} bytes of base64url`;
    }
    row.bio = JSON.stringify({ format: 'r30x-char', template: b.template });
  }
  if (o.size !== undefined && o.size !== null) {
    if (o.size !== 'S' && o.size !== 'M' && o.size !== 'L') return 'size is not S, M or L';
    row.size = o.size;
  }
  if (o.holdUntil !== undefined && o.holdUntil !== null) {
    let t: number | null = null;
    if (typeof o.holdUntil === 'string') {
      const known = times.get(o.holdUntil);
      t = known !== undefined ? known : parseRfc3339(o.holdUntil);
      if (known === undefined && times.size < 10_000) times.set(o.holdUntil, t);
    }
    if (t === null) return 'holdUntil is not an RFC 3339 time';
    row.holdUntil = t;
  }
  if (o.due !== undefined && o.due !== null) {
    const d = parseDue(o.due);
    if (d === null) return 'due is not { amount: whole minor units, currency: 3 capital letters }';
    row.dueAmount = d.amount;
    row.dueCurrency = d.currency;
  }
  return row;
}

// Canonical unpadded base64url of exactly 16 and 32 bytes: the last character carries 4 and 2 unused
// bits, which must be zero. Checked by pattern, without decoding: a manifest may hold 100,000 of them.
const SALT16 = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const KEY32 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** The verifier as its stored JSON text, or null; same rules as the domain's parseVerifier. */
function readVerifier(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const { salt, logN, r, p, key } = v as Record<string, unknown>;
  if (typeof salt !== 'string' || !SALT16.test(salt)) return null;
  // protocol.md: `key` may be left out, and the parcel is then checked online only.
  if (key !== undefined && (typeof key !== 'string' || !KEY32.test(key))) return null;
  if (typeof logN !== 'number' || typeof r !== 'number' || typeof p !== 'number' || !scryptParamsOk({ logN, r, p })) return null;
  const tail = typeof key === 'string' ? `,"key":"${key}"` : '';
  return `{"salt":"${salt}","logN":${logN},"r":${r},"p":${p}${tail}}`;
}

export interface AckMessage {
  id: string;
  eventIds: string[];
}

export function readAck(body: Record<string, unknown>): Read<AckMessage> {
  const common = readCommon(body, 'ack');
  if (!common.ok) return common;
  const ids = body.eventIds;
  if (!Array.isArray(ids) || ids.length > MAX_LIST) return { ok: false, reason: `eventIds is not a list of at most ${MAX_LIST}` };
  for (let i = 0; i < ids.length; i++) {
    const e: unknown = ids[i];
    if (typeof e !== 'string' || !MESSAGE_ID.test(e)) return { ok: false, reason: `eventIds[${i}] is not an event id` };
  }
  return { ok: true, value: { id: common.value.id, eventIds: ids as string[] } };
}

export type ReplyResult = 'ok' | 'denied' | 'unknown' | 'cancelled' | 'locked';
const RESULTS: readonly ReplyResult[] = ['ok', 'denied', 'unknown', 'cancelled', 'locked'];

export interface ReplyMessage {
  id: string;
  requestId: string;
  result: ReplyResult;
  attemptsLeft?: number;
}

export function readReply(body: Record<string, unknown>): Read<ReplyMessage> {
  const common = readCommon(body, 'verify.reply');
  if (!common.ok) return common;
  const { requestId, result, attemptsLeft } = body;
  if (typeof requestId !== 'string' || !MESSAGE_ID.test(requestId)) return { ok: false, reason: 'requestId is not a request id' };
  if (typeof result !== 'string' || !(RESULTS as readonly string[]).includes(result)) {
    return { ok: false, reason: `result ${JSON.stringify(result)} is not one of ${RESULTS.join(', ')}` };
  }
  const reply: ReplyMessage = { id: common.value.id, requestId, result: result as ReplyResult };
  if (attemptsLeft !== undefined && attemptsLeft !== null) {
    if (typeof attemptsLeft !== 'number' || !Number.isSafeInteger(attemptsLeft) || attemptsLeft < 0) {
      return { ok: false, reason: 'attemptsLeft is not a whole number of 0 or more' };
    }
    reply.attemptsLeft = attemptsLeft;
  }
  return { ok: true, value: reply };
}
