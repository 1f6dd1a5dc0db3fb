/**
 * Opening a big manifest off the main thread. Parsing a payload of a few MiB,
 * checking its signature and reading 100,000 entries holds a thread for
 * 100 ms or more; a worker thread (manifest-worker.ts) does it instead, started
 * for that one payload and ended right after, so a kiosk that only ever gets
 * small manifests never starts one. The key stays decided here: the worker
 * names the signer and kid it read, and gets back only that key's 32 bytes
 * (or is ended, untrusted). The entries come back a few thousand at a time,
 * each piece asked for after the event loop has turned, so taking them in
 * never holds it for long either.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { encodeEnvelope, generateEd25519, signEnvelope, uuidv7, type EnvelopeFailure } from '../domain/index.js';
import type { ManifestUpsertRow } from '../store/link-store.js';
import type { ManifestMessage, Read } from './messages.js';

/** Payloads above this many bytes are opened in a worker: below it, opening takes a few ms at most. */
export const WORKER_ABOVE_BYTES = 256 * 1024;

export interface ManifestWorkerOptions {
  /** Payloads above this many bytes are opened in a worker (default WORKER_ABOVE_BYTES). */
  above?: number;
  /** The worker's module (tests); default manifest-worker.js beside this module; null: never a worker. */
  url?: URL | null;
  /** Entries per message from the worker (default 2000). */
  rowsPerMessage?: number;
  /** A worker that has not finished by then is ended and the manifest refused (default 60 s). */
  timeoutMs?: number;
}

/** What the worker is started with. */
export interface WorkerInput {
  payload: ArrayBuffer;
  rowsPerMessage: number;
}

type ManifestHead = Omit<ManifestMessage, 'upserts' | 'cancels'> & { upserts: number; cancels: number };

/** The worker's messages, in order: signer (or refused), then read (or refused), then rows, each asked for. */
export type FromWorker =
  | { t: 'signer'; by: string; kid: string }
  | { t: 'refused'; reason: EnvelopeFailure; by: string | null }
  | { t: 'read'; by: string; id: string | null; read: Read<ManifestHead> }
  | { t: 'rows'; upserts: ManifestUpsertRow[]; cancels: string[] };

export type ToWorker = { t: 'key'; publicKey: Uint8Array } | { t: 'more' };

/** An opened manifest payload: the envelope's failure, or its signer, body id and the manifest read (or why not). */
export type OpenedManifest = { ok: false; reason: EnvelopeFailure; by: string | null } | { ok: true; by: string; id: string | null; read: Read<ManifestMessage> };

const beside = new URL('./manifest-worker.js', import.meta.url);

/** The worker module beside this one, or null when it is not there (running from sources). */
export function defaultWorkerUrl(): URL | null {
  return beside.protocol === 'file:' && existsSync(fileURLToPath(beside)) ? beside : null;
}

/**
 * Opens a manifest payload in a worker thread. `keyOf` names the trusted key
 * (32 bytes) of a signer and kid at the payload's arrival, or null. Resolves
 * with what openEnvelope and readManifest would have said; rejects when the
 * worker fails (it could not start, threw, ran out of memory, took too long)
 * or `signal` aborts: the worker is ended either way.
 */
export function openInWorker(
  url: URL,
  payload: Uint8Array,
  keyOf: (by: string, kid: string) => Uint8Array | null,
  o: ManifestWorkerOptions = {},
  signal?: AbortSignal,
): Promise<OpenedManifest> {
  // A copy of its own, handed over without another copy (a broker's payload may share its buffer).
  const copy = new Uint8Array(payload);
  const input: WorkerInput = { payload: copy.buffer, rowsPerMessage: o.rowsPerMessage ?? 2000 };
  return new Promise<OpenedManifest>((resolve, reject) => {
    let settled = false;
    let worker: Worker;
    try {
      // The heap cap keeps a hostile payload from growing the kiosk's memory without bound.
      worker = new Worker(url, { workerData: input, transferList: [input.payload], resourceLimits: { maxOldGenerationSizeMb: 512 }, stdout: false, stderr: false });
    } catch (e) {
      reject(new Error(`the manifest worker did not start: ${(e as Error).message}`));
      return;
    }
    const end = (): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
    };
    const done = (r: OpenedManifest): void => {
      if (settled) return;
      end();
      resolve(r);
    };
    const fail = (why: string): void => {
      if (settled) return;
      end();
      reject(new Error(why));
    };
    const onAbort = (): void => fail('the link stopped');
    signal?.addEventListener('abort', onAbort);
    const timeoutMs = o.timeoutMs ?? 60_000;
    const timer = setTimeout(() => fail(`the manifest worker did not finish within ${timeoutMs / 1000} s`), timeoutMs);

    let head: ManifestHead | null = null;
    let by = '';
    let id: string | null = null;
    const upserts: ManifestUpsertRow[] = [];
    const cancels: string[] = [];
    const ask = (m: ToWorker): void => {
      worker.postMessage(m);
    };
    worker.on('message', (m: FromWorker) => {
      if (settled) return;
      switch (m.t) {
        case 'signer': {
          let key: Uint8Array | null;
          try {
            key = keyOf(m.by, m.kid);
          } catch (e) {
            return fail(`the signer's key could not be looked up: ${(e as Error).message}`);
          }
          if (key === null) return done({ ok: false, reason: 'untrusted', by: m.by });
          return ask({ t: 'key', publicKey: key });
        }
        case 'refused':
          return done({ ok: false, reason: m.reason, by: m.by });
        case 'read':
          if (!m.read.ok) return done({ ok: true, by: m.by, id: m.id, read: m.read });
          head = m.read.value;
          by = m.by;
          id = m.id;
          break;
        case 'rows':
          if (head === null) return fail('the manifest worker sent entries before the manifest');
          for (const u of m.upserts) upserts.push(u);
          for (const c of m.cancels) cancels.push(c);
          if (m.upserts.length + m.cancels.length === 0 && upserts.length + cancels.length < head.upserts + head.cancels) {
            return fail('the manifest worker sent fewer entries than it read');
          }
          break;
      }
      if (head === null) return;
      if (upserts.length >= head.upserts && cancels.length >= head.cancels) {
        const { upserts: nu, cancels: nc, ...rest } = head;
        if (upserts.length !== nu || cancels.length !== nc) return fail('the manifest worker sent more entries than it read');
        return done({ ok: true, by, id, read: { ok: true, value: { ...rest, upserts, cancels } } });
      }
      // The next piece only once the event loop has turned: a key press is answered in between.
      setImmediate(() => {
        if (!settled) ask({ t: 'more' });
      });
    });
    worker.on('error', (e) => fail(`the manifest worker failed: ${e.message}`));
    worker.on('messageerror', (e) => fail(`a message from the manifest worker was unreadable: ${e.message}`));
    worker.on('exit', (code) => fail(`the manifest worker ended (exit code ${code}) before it was done`));
  });
}

/**
 * Starts the worker on a small manifest signed by a throwaway key and checks
 * what comes back (`pickup-kiosk doctor`); resolves with the time it took.
 */
export async function selfCheck(url: URL): Promise<number> {
  const seller = { id: 'self-check', keys: generateEd25519() };
  const now = Date.now();
  const body = { type: 'manifest', id: uuidv7(now), at: new Date(now).toISOString(), sellerId: seller.id, kioskId: 'self-check', seq: 1, upserts: [{ txn: 'B' }, { txn: 'A', size: 'S' }], cancels: ['C'] };
  const t0 = performance.now();
  const o = await openInWorker(url, encodeEnvelope(signEnvelope(body, seller)), (by, kid) => (by === seller.id && kid === seller.keys.kid ? seller.keys.publicKey : null), { timeoutMs: 10_000 });
  if (!o.ok) throw new Error(`the worker refused a good manifest: envelope ${o.reason}`);
  if (!o.read.ok) throw new Error(`the worker refused a good manifest: ${o.read.reason}`);
  const got = [...o.read.value.upserts.map((u) => u.txn), ...o.read.value.cancels].join(' ');
  if (got !== 'A B C') throw new Error(`the worker sent back ${got}, not A B C`);
  return Math.round(performance.now() - t0);
}
