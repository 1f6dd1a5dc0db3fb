// Bundles the command line (src/cli.ts and what it loads) into one CommonJS
// file, dist/kiosk/cli.cjs, with esbuild. bin/pickup-kiosk.js compiles it with
// vm.Script and a V8 code cache, which ES modules cannot
// have on Node 20. Commands and drivers loaded on demand (import()) stay
// wrapped in the file and run only when used. Native modules, packages that
// find files beside their own code, and the big libraries only the seller, the
// demo and the camera use (bwip-js, pngjs, @zxing/library) stay external
// (loaded from node_modules when used): their source would otherwise sit in
// the kiosk's memory for nothing.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/kiosk');
const external = [
  'better-sqlite3/package.json',
  'bindings',
  'node-hid',
  'onoff',
  'pcsclite',
  '@serialport/bindings-cpp/package.json',
  'unix-dgram',
  'zxing-wasm',
  'zxing-wasm/*',
  'bwip-js',
  'pngjs',
  '@zxing/library',
];
// zod re-exports every locale (350 KiB) from its locales index (`z.locales`,
// `zod/locales`); the kiosk uses none but English, which src/core/zod.ts sets
// up. Only `en` is kept in the bundle, whoever imports the index.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(args.resolveDir, dirname(args.path), 'en.js'), namespace: 'zod-en' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};
// The kiosk reaches its broker over mqtt:// or mqtts:// only (the config refuses
// other URLs): mqtt.js's WebSocket and SOCKS transports (ws, socks, ip-address,
// 330 KiB) are left out, and say so should anything ask for them.
const mqttTcpOnly = {
  name: 'mqtt-tcp-only',
  setup(b) {
    b.onResolve({ filter: /^\.\/(ws|socks)$/ }, (args) =>
      /[\\/]mqtt[\\/]build[\\/]lib[\\/]connect$/.test(args.resolveDir) ? { path: args.path, namespace: 'mqtt-left-out' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'mqtt-left-out' }, (args) => ({
      contents: `const no = () => { throw new Error(${JSON.stringify(`pickup-kiosk is built without mqtt.js ${args.path} (mqtt:// and mqtts:// only)`)}); };
module.exports = { __esModule: true, default: no, streamBuilder: no, browserStreamBuilder: no };`,
      loader: 'js',
    }));
  },
};
// serialport's JavaScript, @serialport/bindings-cpp's included, is bundled (and so in the code cache: loaded
// from node_modules it was ~15 ms of every start with real serial drivers). Only the native binding stays in
// node_modules: node-gyp-build looks for its prebuilds beside the package, which it is told where to find.
const serialportBindingBesideItsPackage = {
  name: 'serialport-binding-beside-its-package',
  setup(b) {
    b.onLoad({ filter: /[\\/]@serialport[\\/]bindings-cpp[\\/]dist[\\/]serialport-bindings\.js$/ }, (args) => ({
      contents: `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const { dirname } = require("path");
exports.binding = require("node-gyp-build")(dirname(require.resolve("@serialport/bindings-cpp/package.json")));`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};
// better-sqlite3's JavaScript is bundled too (from node_modules, its ten files were compiled at every start
// with no code cache, and the `bindings` package searched a dozen paths for the addon). Its native addon stays
// in node_modules and is loaded from where npm builds it, build/Release; should it be elsewhere, `bindings`
// looks for it as before.
const sqliteAddonBesideItsPackage = {
  name: 'sqlite-addon-beside-its-package',
  setup(b) {
    b.onLoad({ filter: /[\\/]better-sqlite3[\\/]lib[\\/]database\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const call = "require('bindings')('better_sqlite3.node')";
      if (!source.includes(call)) throw new Error(`build-cli: ${args.path} no longer loads its addon with ${call}`);
      const load = `((dir) => { try { return require(require("path").join(dir, "build/Release/better_sqlite3.node")); } catch (e) { if (e.code !== "MODULE_NOT_FOUND") throw e; return require("bindings")({ bindings: "better_sqlite3.node", module_root: dir }); } })(require("path").dirname(require.resolve("better-sqlite3/package.json")))`;
      return { contents: source.replace(call, load), loader: 'js' };
    });
  },
};
// Packages that are only a browser's or a copy of what node has, replaced at bundling time (their source and
// compiled code would sit in every kiosk's memory, and their top-level code run at every start):
// - readable-stream (mqtt.js, bl, aedes) is a copy of node's own streams (v4 mirrors node 18+): node:stream is
//   loaded anyway, by net and http;
// - worker-timers (mqtt.js) runs timers in a browser's web worker; on node mqtt.js uses node's timers;
// - thread-stream (pino) runs pino transports in a worker thread; the kiosk writes its JSON lines to stdout
//   and configures no transport (a transport asked for says so);
// - @opentelemetry/api (prom-client's CPU metric, for exemplars) answers "no active span" when no
//   OpenTelemetry SDK is registered, and the kiosk registers none.
const nodeOwnOrUnused = {
  name: 'node-own-or-unused',
  setup(b) {
    const stubs = {
      'readable-stream': `module.exports = require("node:stream");`,
      'worker-timers': `module.exports = { setInterval, clearInterval, setTimeout, clearTimeout };`,
      'thread-stream': `module.exports = function ThreadStream() { throw new Error("pickup-kiosk is built without pino transports: it logs JSON lines to stdout"); };`,
      '@opentelemetry/api': `const none = { getSpan: () => undefined, active: () => undefined };
module.exports = { trace: none, context: none };`,
    };
    b.onResolve({ filter: /^(readable-stream|worker-timers|thread-stream|@opentelemetry\/api)$/ }, (args) => ({ path: args.path, namespace: 'node-own-or-unused' }));
    b.onLoad({ filter: /.*/, namespace: 'node-own-or-unused' }, (args) => ({ contents: stubs[args.path], loader: 'js' }));
  },
};
/** Must match bin/pickup-kiosk.js, which calls the function with these arguments. */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __pkImport) {"use strict";';
rmSync(outdir, { recursive: true, force: true });
/**
 * What both bundles share. Less to read and parse at start. Identifiers are not minified, so stack traces
 * stay readable; keepNames is off: its __name() call on each of ~2,700 functions and classes cost ~10 ms and
 * ~1 MiB at every start, and nothing here reads a function's or class's .name.
 */
const common = {
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external,
  minifyWhitespace: true,
  minifySyntax: true,
  // BUILD_SOURCEMAP=1 writes cli.cjs.map beside the bundle, to read a --cpu-prof profile by source file.
  sourcemap: process.env.BUILD_SOURCEMAP ? 'external' : false,
  keepNames: false,
  legalComments: 'none',
  logLevel: 'warning',
};
const result = await build({
  ...common,
  entryPoints: { cli: join(root, 'src/cli.ts') },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // The file runs inside WRAPPER_HEAD's function (exports, require, module, __filename, __dirname, __pkImport).
  define: { 'import.meta.url': '__pkUrl' },
  banner: { js: 'const __pkUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [zodEnglishOnly, mqttTcpOnly, serialportBindingBesideItsPackage, sqliteAddonBesideItsPackage, nodeOwnOrUnused],
  metafile: true,
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));

// The manifest worker is a module of its own (ESM, dist/kiosk/manifest-worker.js): the link starts it as a
// thread from beside the code that opens big manifests (src/link/manifest-open.ts).
await build({
  ...common,
  entryPoints: { 'manifest-worker': join(root, 'src/link/manifest-worker.ts') },
  format: 'esm',
  plugins: [zodEnglishOnly],
});

// A script compiled from a V8 code cache loses its dynamic import() callback (Node 20: "A dynamic import
// callback was not specified"), so the import() calls left in the bundle (external packages: serialport,
// onoff, node-hid, pcsclite, zxing-wasm) go through the launcher's own import, __pkImport.
const cli = join(outdir, 'cli.cjs');
const code = readFileSync(cli, 'utf8');
const dynamicImport = /(?<![\w$.])import\((?=[\w"'`])/g;
const sites = code.match(dynamicImport)?.length ?? 0;
if (sites === 0) throw new Error('build-cli: no import() left in the bundle: is the __pkImport rewrite still needed?');
// The file is one function expression, the source bin/pickup-kiosk.js compiles as it is (wrapping it there
// would keep a second 1.6 MB copy of it in memory until a full GC).
writeFileSync(cli, `${WRAPPER_HEAD}${code.replace(dynamicImport, '__pkImport(')}\n})`);
