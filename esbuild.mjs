// Bundles the CLI, the language server, the extension and the webview; copies the Python worker into dist/worker.
// Flags: --production (minify, no sourcemaps), --watch (rebuild on change; copy the worker again when a .py changes).
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.dirname(new URL(import.meta.url).pathname);

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
};

const entries = [
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
  { ...node, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' },
  { ...node, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js' },
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production, logLevel: 'warning', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js' },
  // The real-VS-Code suite: a mocha runner plus one bundle per suite (vscode and mocha come from the host / node_modules).
  ...fs
    .readdirSync(path.join(root, 'test', 'vscode'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ ...node, external: ['vscode', 'mocha'], entryPoints: [`test/vscode/${f}`], outfile: `dist/test/vscode/${f.replace(/\.ts$/, '.js')}` })),
  // The untrusted-workspace suite (scripts/vscode-untrusted-tests.mjs), bundled the same way.
  ...(fs.existsSync(path.join(root, 'test', 'vscode-untrusted')) ? fs.readdirSync(path.join(root, 'test', 'vscode-untrusted')) : [])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ ...node, external: ['vscode', 'mocha'], entryPoints: [`test/vscode-untrusted/${f}`], outfile: `dist/test/vscode-untrusted/${f.replace(/\.ts$/, '.js')}` })),
].filter((e) => fs.existsSync(path.join(root, e.entryPoints[0])));

/** Copies the Python side as it is laid out: src/worker/{scoring,analyzer,cluster}/*.py -> dist/worker/{scoring,analyzer,cluster}/. */
function copyWorker() {
  for (const part of ['scoring', 'analyzer', 'cluster']) {
    const from = path.join(root, 'src', 'worker', part);
    const to = path.join(root, 'dist', 'worker', part);
    fs.rmSync(to, { recursive: true, force: true });
    fs.mkdirSync(to, { recursive: true });
    for (const f of fs.readdirSync(from)) if (f.endsWith('.py')) fs.copyFileSync(path.join(from, f), path.join(to, f));
  }
}

/** `npm run watch` prints "[watch] build started" / "[watch] build finished" around every rebuild (the background
 * problem matcher in .vscode/tasks.json waits for them) and each error as "✘ [ERROR] text" plus "    file:line:col:"
 * (esbuild's own log is silenced in watch mode so nothing is reported twice). */
function watchReporter() {
  let running = 0;
  const start = () => {
    if (running++ === 0) console.log('[watch] build started');
  };
  const finish = () => {
    if (--running === 0) console.log('[watch] build finished');
  };
  const plugin = {
    name: 'watch-reporter',
    setup(build) {
      build.onStart(start);
      build.onEnd((result) => {
        for (const [mark, messages] of [['✘ [ERROR]', result.errors], ['▲ [WARNING]', result.warnings]]) {
          for (const { text, location } of messages) {
            console.error(`${mark} ${text}`);
            if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
          }
        }
        finish();
      });
    },
  };
  return { start, finish, plugin };
}

if (watch) {
  const reporter = watchReporter();
  for (const e of entries) {
    const ctx = await esbuild.context({ ...e, logLevel: 'silent', plugins: [reporter.plugin] });
    await ctx.watch();
  }
  // The Python side is copied, not bundled: copy it again when a .py under src/worker changes (debounced).
  let timer;
  fs.watch(path.join(root, 'src', 'worker'), { recursive: true }, (_event, file) => {
    if (!file || !String(file).endsWith('.py')) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      reporter.start();
      try {
        copyWorker();
      } catch (err) {
        console.error(`✘ [ERROR] copying the worker: ${err.message}`);
      }
      reporter.finish();
    }, 100);
  });
  reporter.start();
  copyWorker();
  reporter.finish();
} else {
  await Promise.all(entries.map((e) => esbuild.build(e)));
  copyWorker();
}
