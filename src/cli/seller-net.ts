/** `pickup-kiosk seller issue | cancel | push | serve`: the commands that talk to the broker. */

import { createLogger } from '../core/log.js';
import { UsageError, type FlagSpecs } from './args.js';
import type { CliIo } from './io.js';
import { BROKER, brokerOptions, EXIT, json, none, openSeller, parse, readJson, readText, type SellerCommandContext } from './seller-common.js';

const ISSUE_FLAGS = {
  ...BROKER,
  kiosk: { kind: 'string', value: 'K', help: 'the kiosk the parcel goes to (required)' },
  txn: { kind: 'string', value: 'T', help: 'transaction number (default: a fresh one)' },
  size: { kind: 'string', value: 'S|M|L', help: 'compartment size' },
  mode: { kind: 'string', value: '0|1', help: 'slip mode (default 1: needs the kiosk registered)' },
  due: { kind: 'string', value: 'AMOUNT:CUR', help: 'to collect at pickup, minor units, like 3015:JPY' },
  'hold-days': { kind: 'string', value: 'N', help: 'days the kiosk holds it before it is uncollected' },
  code: { kind: 'string', value: 'C', help: 'the recipient code (default: random, 10 digits in mode 0, 8 in mode 1)' },
  'kiosk-identity': { kind: 'string', value: 'FILE', help: 'register the kiosk from this identity JSON first' },
  'no-verifier': { kind: 'boolean', help: 'send no manifest verifier (the kiosk checks the slip or asks online)' },
  'no-push': { kind: 'boolean', help: 'do not send the manifest now (send it later with seller push)' },
  'no-label': { kind: 'boolean', help: 'do not write the label PNG' },
} satisfies FlagSpecs;

export async function issue(argv: string[], io: CliIo, ctx: SellerCommandContext): Promise<number> {
  const p = parse(argv, ISSUE_FLAGS, 'pickup-kiosk seller issue --kiosk K [options]', 'Issues a parcel: prints {txn, code, slip, label} as JSON. The code is for the recipient only.', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const f = p.flags;
  if (f.kiosk === undefined) throw new UsageError('--kiosk is required');
  const size = f.size;
  if (size !== undefined && size !== 'S' && size !== 'M' && size !== 'L') throw new UsageError('--size is S, M or L');
  if (f.mode !== undefined && f.mode !== '0' && f.mode !== '1') throw new UsageError('--mode is 0 or 1');
  let due: { amount: number; currency: string } | undefined;
  if (f.due !== undefined) {
    const m = /^(\d{1,15}):([A-Z]{3})$/.exec(f.due);
    if (m === null) throw new UsageError('--due is AMOUNT:CUR in minor units, like 3015:JPY');
    due = { amount: Number(m[1]), currency: m[2] };
  }
  let holdDays: number | undefined;
  if (f['hold-days'] !== undefined) {
    holdDays = Number(f['hold-days']);
    if (!/^\d{1,3}$/.test(f['hold-days']) || holdDays < 1 || holdDays > 365) throw new UsageError('--hold-days is a whole number from 1 to 365');
  }
  const s = openSeller(f);
  try {
    if (f['kiosk-identity'] !== undefined) {
      const k = s.addKiosk(readJson(readText(f['kiosk-identity']), f['kiosk-identity']));
      if (k.kioskId !== f.kiosk) throw new UsageError(`--kiosk-identity is kiosk ${k.kioskId}, not ${f.kiosk}`);
    }
    const pushNow = !f['no-push'];
    if (pushNow) await s.connect({ ...brokerOptions(f, ctx), serve: false });
    const r = await s.issue({
      kioskId: f.kiosk,
      ...(f.txn !== undefined ? { txn: f.txn } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(f.mode !== undefined ? { mode: f.mode === '0' ? (0 as const) : (1 as const) } : {}),
      ...(due !== undefined ? { due } : {}),
      ...(holdDays !== undefined ? { holdDays } : {}),
      ...(f.code !== undefined ? { code: f.code } : {}),
      verifier: !f['no-verifier'],
      label: !f['no-label'],
      push: pushNow,
    });
    json(io, { txn: r.txn, code: r.code, slip: r.slip, label: r.label, kioskId: r.kioskId, mode: r.mode, seq: r.seq });
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

export async function cancel(argv: string[], io: CliIo, ctx: SellerCommandContext): Promise<number> {
  const p = parse(argv, { ...BROKER, txn: { kind: 'list', value: 'T', help: 'a txn to withdraw' } }, 'pickup-kiosk seller cancel --txn T [--txn T …]', 'Withdraws parcels: the kiosk drops expected ones and holds loaded ones for return.', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  if (p.flags.txn.length === 0) throw new UsageError('give at least one --txn');
  const s = openSeller(p.flags);
  try {
    await s.connect({ ...brokerOptions(p.flags, ctx), serve: false });
    json(io, { cancelled: p.flags.txn, manifests: await s.cancel(p.flags.txn) });
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

export async function push(argv: string[], io: CliIo, ctx: SellerCommandContext): Promise<number> {
  const p = parse(argv, { ...BROKER, kiosk: { kind: 'string', value: 'K', help: 'the kiosk (required)' } }, 'pickup-kiosk seller push --kiosk K', 'Resends every parcel of the kiosk that may still be handed over (after the kiosk lost its broker session).', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  if (p.flags.kiosk === undefined) throw new UsageError('--kiosk is required');
  const s = openSeller(p.flags);
  try {
    await s.connect({ ...brokerOptions(p.flags, ctx), serve: false });
    json(io, { kioskId: p.flags.kiosk, parcels: await s.push(p.flags.kiosk) });
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

const SERVE_FLAGS = {
  ...BROKER,
  share: { kind: 'string', value: 'GROUP', help: 'shared-subscription group (default "sellers"); run several serve processes with the same group' },
  'no-share': { kind: 'boolean', help: 'subscribe plainly (a broker without $share subscriptions)' },
  'failure-limit': { kind: 'string', value: 'N', help: 'failed online checks per parcel before it answers locked (default 5)' },
} satisfies FlagSpecs;

export async function serve(argv: string[], io: CliIo, ctx: SellerCommandContext): Promise<number> {
  const p = parse(argv, SERVE_FLAGS, 'pickup-kiosk seller serve [options]', 'Answers verify requests and records and acks kiosk events until SIGINT/SIGTERM. Prints one JSON line per recorded event and per answer.', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const f = p.flags;
  let failureLimit: number | undefined;
  if (f['failure-limit'] !== undefined) {
    failureLimit = Number(f['failure-limit']);
    if (!/^\d{1,3}$/.test(f['failure-limit']) || failureLimit < 1) throw new UsageError('--failure-limit is a whole number from 1 to 999');
  }
  const log = createLogger({ destination: { write: (line: string) => io.stderr(line) } });
  const s = openSeller(f, { log, ...(failureLimit !== undefined ? { failureLimit } : {}) });
  s.on('event', (e) => io.stdout(`${JSON.stringify({ event: e })}\n`));
  s.on('verify', (v) => io.stdout(`${JSON.stringify({ verify: v })}\n`));
  s.on('proof-problem', (pp) => io.stdout(`${JSON.stringify({ proofProblem: pp })}\n`));
  // The link's timers are unref'd (they must not hold a kiosk open); while the broker is away
  // nothing else would keep this process alive between retries.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const done = new Promise<void>((resolve) => {
    const stop = (): void => {
      clearInterval(keepAlive);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    ctx.signal?.addEventListener('abort', stop, { once: true });
    if (ctx.signal?.aborted) stop();
  });
  try {
    const share = f['no-share'] ? null : (f.share ?? 'sellers');
    const broker = brokerOptions(f, ctx);
    s.on('connected', () => io.stderr(`seller ${s.id} connected to ${broker.brokerUrl}: serving pk/v1/seller/${s.id}/#\n`));
    await s.connect({ ...broker, serve: true, share, waitMs: null });
    await done;
    return EXIT.ok;
  } finally {
    await s.close();
  }
}
