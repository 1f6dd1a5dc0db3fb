/**
 * The kiosk's own keys: an Ed25519 pair (signs what it reports) and an X25519
 * pair (opens mode-1 slips addressed to it). Each lives in <dataDir>/keys/ as
 * its 32-byte seed in hex plus a newline, readable by the kiosk user only.
 * Losing them changes the kiosk's identity, so nothing here ever overwrites one.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import {
  ed25519FromSeed,
  generateEd25519,
  generateX25519,
  kidOf,
  x25519FromSeed,
  type Ed25519KeyPair,
  type X25519KeyPair,
} from './domain/index.js';

export interface KioskIdentity {
  ed25519: Ed25519KeyPair;
  x25519: X25519KeyPair;
}

/** What a seller or operator needs to know about this kiosk: public keys only. */
export interface IdentityJson {
  kioskId: string;
  ed25519Public: string;
  x25519Public: string;
  kid: string;
}

export type IdentityProblem = 'missing' | 'incomplete' | 'exists' | 'unreadable' | 'bad-key';

export class IdentityError extends Error {
  /** Which kind of problem, so a caller can treat "no keys yet" apart from a broken key file. */
  readonly problem: IdentityProblem;
  constructor(problem: IdentityProblem, message: string) {
    super(message);
    this.name = 'IdentityError';
    this.problem = problem;
  }
}

export function identityPaths(dataDir: string): { dir: string; ed25519: string; x25519: string } {
  const dir = path.join(dataDir, 'keys');
  return { dir, ed25519: path.join(dir, 'ed25519.key'), x25519: path.join(dir, 'x25519.key') };
}

/** Makes a fresh identity. Refuses (IdentityError 'exists') when either key file is already there. */
export function generateIdentity(dataDir: string): KioskIdentity {
  const p = identityPaths(dataDir);
  const present = [p.ed25519, p.x25519].filter((f) => existsSync(f));
  if (present.length > 0) {
    throw new IdentityError(
      'exists',
      `kiosk keys already exist (${present.join(', ')}): refusing to overwrite them. ` +
        `A new key would change the kiosk's identity and sellers would need its new public keys. ` +
        `To really replace them, move ${p.dir} away first.`,
    );
  }
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  chmodSync(p.dir, 0o700); // mkdir leaves an existing folder's mode alone; private keys need it closed.
  const id: KioskIdentity = { ed25519: generateEd25519(), x25519: generateX25519() };
  writeKeyFile(p.ed25519, id.ed25519.seed);
  try {
    writeKeyFile(p.x25519, id.x25519.seed);
  } catch (e) {
    unlinkSync(p.ed25519); // Half an identity is worse than none: the next keygen would refuse.
    throw e;
  }
  return id;
}

/** Exclusive create (never overwrites), mode 0600, flushed to disk before returning. */
function writeKeyFile(file: string, seed: Buffer): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    throw new IdentityError('exists', `cannot create ${file}: ${(e as Error).message}`);
  }
  try {
    writeSync(fd, `${seed.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600); // The umask may have narrowed or (with odd umasks) the mode must be exact.
}

export interface LoadIdentityOptions {
  /** Told about things that work but should be fixed (a key file others can read). */
  warn?: (message: string) => void;
}

/** Reads the kiosk's keys. Throws IdentityError with words an operator can act on. */
export function loadIdentity(dataDir: string, opts: LoadIdentityOptions = {}): KioskIdentity {
  const p = identityPaths(dataDir);
  const haveEd = existsSync(p.ed25519);
  const haveX = existsSync(p.x25519);
  if (!haveEd && !haveX) {
    throw new IdentityError('missing', `no kiosk keys in ${dataDir}: run \`pickup-kiosk keygen --data-dir ${dataDir}\``);
  }
  if (!haveEd || !haveX) {
    const [gone, there] = haveEd ? [p.x25519, p.ed25519] : [p.ed25519, p.x25519];
    throw new IdentityError(
      'incomplete',
      `kiosk key ${gone} is missing but ${there} is there: restore it from your backup ` +
        `(a new keygen would give the kiosk a new identity; to do that, move ${p.dir} away first)`,
    );
  }
  const warn = opts.warn ?? ((m: string) => process.emitWarning(m));
  return {
    ed25519: ed25519FromSeed(readSeed(p.ed25519, warn)),
    x25519: x25519FromSeed(readSeed(p.x25519, warn)),
  };
}

function readSeed(file: string, warn: (m: string) => void): Buffer {
  let text: string;
  try {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      warn(`${file} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}): run \`chmod 600 ${file}\``);
    }
    text = readFileSync(file, 'latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' ? 'permission denied (run as the kiosk user)' : (e as Error).message;
    throw new IdentityError('unreadable', `cannot read kiosk key ${file}: ${why}`);
  }
  // One trailing newline is the format; a CRLF from an editor is forgiven. The content is never echoed: it is secret.
  const hex = text.replace(/\r?\n$/, '');
  if (!/^[0-9a-fA-F]*$/.test(hex)) {
    throw new IdentityError('bad-key', `${file} is not a kiosk key: it must hold 64 hex digits and a newline, and holds other characters`);
  }
  if (hex.length !== 64) {
    throw new IdentityError('bad-key', `${file} is not a kiosk key: it must hold 64 hex digits and a newline, and holds ${hex.length}`);
  }
  return Buffer.from(hex, 'hex');
}

export function identityJson(kioskId: string, id: KioskIdentity): IdentityJson {
  return {
    kioskId,
    ed25519Public: id.ed25519.publicKey.toString('hex'),
    x25519Public: id.x25519.publicKey.toString('hex'),
    kid: kidOf(id.ed25519.publicKey),
  };
}
