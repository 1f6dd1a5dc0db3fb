/**
 * The thread that opens a big manifest (started by manifest-open.ts, one per
 * payload): reads the envelope, asks for the trusted key of its signer and
 * kid, checks the signature, reads the body and every entry, and then hands
 * the entries over a few thousand at a time, each piece when it is asked for.
 * It touches no store and holds no key but the one it is given; the main
 * thread ends it when it has what it needs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkEnvelope, readEnvelope } from '../domain/envelope.js';
import type { FromWorker, ToWorker, WorkerInput } from './manifest-open.js';
import { readManifest, type ManifestMessage } from './messages.js';

const port = parentPort;
if (port === null) throw new Error('manifest-worker.js runs as a worker thread only');
const input = workerData as WorkerInput;
const send = (m: FromWorker): void => port.postMessage(m);

const envelope = readEnvelope(new Uint8Array(input.payload));
let manifest: ManifestMessage | null = null;
let at = 0;

if (!envelope.ok) send({ t: 'refused', reason: envelope.reason, by: envelope.by });
else send({ t: 'signer', by: envelope.by, kid: envelope.kid });

port.on('message', (m: ToWorker) => {
  if (m.t === 'key' && envelope.ok) opened(m.publicKey);
  else if (m.t === 'more' && manifest !== null) more(manifest);
});

function opened(publicKey: Uint8Array): void {
  if (!envelope.ok) return;
  const o = checkEnvelope(envelope, publicKey);
  if (!o.ok) return send({ t: 'refused', reason: o.reason, by: o.by });
  const id = typeof o.body.id === 'string' ? o.body.id.slice(0, 128) : null;
  const r = readManifest(o.body);
  if (!r.ok) return send({ t: 'read', by: o.by, id, read: r });
  manifest = r.value;
  // In txn order the database's B-tree inserts stay local (a big manifest applies faster). The sort is
  // stable, so of two entries for one txn the later still wins; here it costs the main thread nothing.
  manifest.upserts.sort((a, b) => (a.txn < b.txn ? -1 : a.txn > b.txn ? 1 : 0));
  const { upserts, cancels, ...head } = manifest;
  send({ t: 'read', by: o.by, id, read: { ok: true, value: { ...head, upserts: upserts.length, cancels: cancels.length } } });
}

function more(m: ManifestMessage): void {
  const n = input.rowsPerMessage;
  const upserts = m.upserts.slice(at, at + n);
  at += upserts.length;
  // Cancels follow the upserts, once every upsert is sent.
  const c = at - m.upserts.length;
  const cancels = upserts.length < n ? m.cancels.slice(c, c + n - upserts.length) : [];
  at += cancels.length;
  send({ t: 'rows', upserts, cancels });
}
