#!/usr/bin/env node
// The installed binary: runs the command line bundled by `npm run build`
// (dist/kiosk/cli.cjs, one file), or the plain compiled modules (dist/src/)
// when the bundle was not built.
//
// The bundle is compiled with vm.Script and a V8 code cache: what a start
// compiled (the functions it ran, as bytecode) is kept in the cache directory
// and the next start reads it instead of parsing and compiling again, which was
// a third of a start's CPU time (docs/benchmarks.md). Node 20 has no compile
// cache for ES modules, hence one CommonJS file. The cache is made by a
// `start` when there is none or V8 refused it (another node, another build),
// on a clean stop or 10 s after start, whichever comes first; every other case
// runs without it. The cache directory is systemd's CacheDirectory= (the unit
// sets it), else $XDG_CACHE_HOME/pickup-kiosk or ~/.cache/pickup-kiosk.
//
// This file is CommonJS (bin/package.json): an ES module entry point would load
// node's ES module loader (a score of built-in modules) on every start.
'use strict';
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const bundle = join(__dirname, '../dist/kiosk/cli.cjs');

function cacheDir() {
  const systemd = process.env.CACHE_DIRECTORY?.split(':')[0];
  if (systemd) return systemd;
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg) return join(xdg, 'pickup-kiosk');
  const home = homedir();
  return home ? join(home, '.cache', 'pickup-kiosk') : null;
}

/** Compiles the bundle (one function expression, see scripts/build-cli.mjs), from the cache when there is a good one. */
function compile(file) {
  let cachedData;
  try {
    if (file) cachedData = readFileSync(file);
  } catch {
    cachedData = undefined; // none yet, or unreadable: compile from source
  }
  const script = new vm.Script(readFileSync(bundle, 'utf8'), { filename: bundle, cachedData });
  return { script, cacheOk: cachedData !== undefined && script.cachedDataRejected === false };
}

/** Compiles and runs the bundle; returns its main() and what saves a new cache when one is wanted. */
function loadBundle(produce) {
  const dir = cacheDir();
  const st = statSync(bundle);
  const name = `cli-${process.version}-${process.arch}-${st.size}-${Math.trunc(st.mtimeMs)}.v8cache`;
  const file = dir ? join(dir, name) : null;
  // Compiled in a function of its own: the cache's bytes are garbage before the bundle runs.
  const { script, cacheOk } = compile(file);
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, dirname(bundle), (specifier) => import(specifier));
  let saved = !(produce && file !== null && !cacheOk);
  const save = () => {
    if (saved) return;
    saved = true;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, file);
      // Caches of other builds or other nodes are never read again.
      for (const f of readdirSync(dir)) if (/^cli-.*\.v8cache$/.test(f) && f !== name) unlinkSync(join(dir, f));
    } catch {
      // A read-only or missing cache directory only costs the next start its compile time.
    }
  };
  if (!saved) setTimeout(save, 10_000).unref();
  return { main: mod.exports.main, save };
}

async function run() {
  try {
    require('./v8-flags.js').applyV8Flags();
  } catch (e) {
    process.stderr.write(`pickup-kiosk: cannot start: ${e.message}\n`);
    process.exitCode = 1;
    return;
  }
  const argv = process.argv.slice(2);
  const loaded = existsSync(bundle) ? loadBundle(argv[0] === 'start') : { main: (await import('../dist/src/cli.js')).main, save: () => undefined };
  process.exitCode = await loaded.main(argv);
  loaded.save();
}

run().catch((err) => {
  // main() reports its own errors; this is only for a launcher that cannot run at all.
  console.error(err);
  process.exitCode = 1;
});
