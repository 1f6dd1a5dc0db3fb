/**
 * `pickup-kiosk seller …`: the reference seller's commands (docs/seller.md).
 * Each takes --seller-dir (its key and database); commands that talk to the
 * broker take --broker (or the broker of --config's kiosk config).
 */

import { ConfigError } from '../config/index.js';
import { ReferenceSeller, SellerError } from '../seller/index.js';
import { UsageError } from './args.js';
import { processIo, type CliIo } from './io.js';
import { EXIT, json, none, openSeller, parse, readJson, readText, sellerDir, type SellerCommandContext } from './seller-common.js';
import { cancel, issue, push, serve } from './seller-net.js';

export type { SellerCommandContext };

const TOP = `usage: pickup-kiosk seller <command> [options]

commands:
  keygen --seller-id ID     make the seller's key (never overwrites one)
  identity                  print the seller's public identity (JSON) for kiosks' trust.sellers
  kiosk add FILE|-          register a kiosk from its \`pickup-kiosk identity\` JSON
  kiosk list                list registered kiosks (JSON)
  issue --kiosk K …         make a code, slip, label and push the manifest entry (JSON)
  cancel --txn T …          withdraw parcels (manifest cancels)
  push --kiosk K            resend every open parcel of a kiosk as manifests
  serve                     answer online checks and record and ack kiosk events
  events                    list recorded events (JSON)

Run \`pickup-kiosk seller <command> --help\` for a command's options.
`;

export async function sellerCommand(argv: string[], ctx: SellerCommandContext): Promise<number> {
  const io = ctx.io ?? processIo();
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
        io.stderr(TOP);
        return EXIT.usage;
      case 'help':
      case '--help':
      case '-h':
        io.stdout(TOP);
        return EXIT.ok;
      case 'keygen':
        return keygen(rest, io);
      case 'identity':
        return await identity(rest, io);
      case 'kiosk':
        return await kiosk(rest, io);
      case 'issue':
        return await issue(rest, io, ctx);
      case 'cancel':
        return await cancel(rest, io, ctx);
      case 'push':
        return await push(rest, io, ctx);
      case 'serve':
        return await serve(rest, io, ctx);
      case 'events':
        return await events(rest, io);
      default:
        throw new UsageError(`unknown seller command ${JSON.stringify(cmd)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`pickup-kiosk seller ${cmd ?? ''}: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      io.stderr(`${e.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`pickup-kiosk seller ${cmd ?? ''}: ${e instanceof SellerError || e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.refused;
  }
}

function keygen(argv: string[], io: CliIo): number {
  const p = parse(argv, {}, 'pickup-kiosk seller keygen --seller-id ID', "Makes the seller's Ed25519 key in --seller-dir and prints its public identity.", io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const id = p.flags['seller-id'];
  if (id === undefined) throw new UsageError('--seller-id is required: the id kiosks know this seller by');
  json(io, ReferenceSeller.keygen(sellerDir(p.flags), id));
  return EXIT.ok;
}

async function identity(argv: string[], io: CliIo): Promise<number> {
  const p = parse(argv, {}, 'pickup-kiosk seller identity', "Prints the seller's public identity: put ed25519Public under trust.sellers.<sellerId> in each kiosk's config.", io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const s = openSeller(p.flags);
  try {
    const id = s.identity();
    json(io, { ...id, trust: { sellers: { [id.sellerId]: [id.ed25519Public] } } });
  } finally {
    await s.close();
  }
  return EXIT.ok;
}

async function kiosk(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const p = parse(rest, {}, 'pickup-kiosk seller kiosk add FILE|- | kiosk list', 'Registers a kiosk from its `pickup-kiosk identity` JSON (FILE, or - for stdin), or lists them.', io);
  if (p === null) return EXIT.ok;
  const s = openSeller(p.flags);
  try {
    if (sub === 'list') {
      none(p.positionals);
      json(io, s.kiosks());
      return EXIT.ok;
    }
    if (sub !== 'add') throw new UsageError('kiosk needs a subcommand: kiosk add FILE, or kiosk list');
    const [file, ...more] = p.positionals;
    if (file === undefined) throw new UsageError('kiosk add needs the identity file (or - for stdin)');
    none(more);
    json(io, s.addKiosk(readJson(file === '-' ? await io.readStdin() : readText(file), file)));
    return EXIT.ok;
  } finally {
    await s.close();
  }
}

async function events(argv: string[], io: CliIo): Promise<number> {
  const p = parse(argv, { limit: { kind: 'string', value: 'N', help: 'at most N, newest first (default 100)' } }, 'pickup-kiosk seller events [--limit N]', 'Lists the events kiosks reported, newest first (JSON).', io);
  if (p === null) return EXIT.ok;
  none(p.positionals);
  const limit = p.flags.limit === undefined ? 100 : Number(p.flags.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit is a whole number of 1 or more');
  const s = openSeller(p.flags);
  try {
    json(io, s.events(limit));
  } finally {
    await s.close();
  }
  return EXIT.ok;
}
