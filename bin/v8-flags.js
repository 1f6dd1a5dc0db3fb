// V8 flags for the kiosk, from PICKUP_KIOSK_V8_FLAGS (the systemd unit sets it), applied by the launcher
// before it compiles the bundle.
//
// Why not on node's command line: any V8 flag given there changes V8's flag hash, and node's own modules
// (net, http, crypto, streams: a hundred of them) come with a code cache made for the default flags. V8
// refuses that cache under another hash, so every one of them was parsed and compiled from source at every
// start: ~135 million instructions, a fourth of a start (docs/benchmarks.md). So the built-in modules the
// kiosk uses are loaded first, from their cache, and only then are the flags set. The bundle's own code
// cache is made and read after that, under the same flags, so V8 accepts it.
//
// The flags the unit sets are read by V8 as the kiosk runs, not only when it starts: --max-opt (how far
// V8 may optimize a function) and --semi-space-growth-factor (how the young generation grows).
'use strict';

/** The built-in modules a kiosk loads by the time it is ready (test/e2e/v8-flags.test.ts keeps this true). */
const WARM = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'net',
  'os',
  'path',
  'perf_hooks',
  'querystring',
  'stream',
  'stream/promises',
  'string_decoder',
  'timers',
  'tty',
  'url',
  'util',
  'vm',
  'worker_threads',
];

/** The flags V8 reads as the kiosk runs (others are read only when node starts: they belong on its command line). */
const RUNTIME_FLAGS = ['max-opt', 'semi-space-growth-factor'];

/** The flags of PICKUP_KIOSK_V8_FLAGS, each `--name=number`; throws naming a flag the launcher does not apply. */
function parseV8Flags(text) {
  const flags = text.trim().split(/\s+/).filter(Boolean);
  for (const f of flags) {
    const m = /^--([a-z0-9-]+)=(\d+)$/.exec(f.replace(/_/g, '-'));
    if (!m || !RUNTIME_FLAGS.includes(m[1])) {
      throw new Error(
        `PICKUP_KIOSK_V8_FLAGS: ${f} is not a flag the launcher applies; it applies ${RUNTIME_FLAGS.map((n) => `--${n}=N`).join(' and ')}, ` +
          'which V8 reads as the kiosk runs. Other node or V8 options go on node\'s command line (the unit\'s ExecStart=).',
      );
    }
  }
  return flags;
}

function applyV8Flags(env = process.env) {
  const flags = parseV8Flags(env.PICKUP_KIOSK_V8_FLAGS ?? '');
  if (flags.length === 0) return;
  for (const m of WARM) require(`node:${m}`);
  void require('node:fs').ReadStream; // loads node's file streams (fs keeps them until first asked for)
  require('node:v8').setFlagsFromString(flags.join(' '));
}

module.exports = { applyV8Flags };
