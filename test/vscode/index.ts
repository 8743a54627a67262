// Mocha runner executed inside the VS Code extension host (the module named by extensionTestsPath).
// Bundle it with esbuild as cjs/node with `vscode` and `mocha` external: mocha is then loaded from the
// extension's node_modules at run time. Either
//   - bundle this file alone next to the compiled suites: `run()` loads every *.test.js below its directory, or
//   - bundle the suites into it: `export const run = () => runMocha({ suites: [{ name, load: () => require('./a.test') }] })`
//     (the loads run only after mocha has set up its tdd globals).
// Environment (reaches the extension host through the server's environment / runTests' extensionTestsEnv):
//   VSCODE_TEST_RESULT_FILE  JSON result {passes, failures, pending, failed: [{title, err}], durationMs}
//   VSCODE_TEST_GREP         only run tests whose full title matches this regular expression
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** A suite compiled into the bundle; `load` must register its tests (typically `() => require('./x.test')`). */
export interface BundledSuite {
  name: string;
  load: () => unknown;
}

export interface RunMochaOptions {
  /** Compiled suite files to load (absolute paths). */
  files?: string[];
  /** Suites bundled into the same file as this runner. */
  suites?: BundledSuite[];
  /** Per-test timeout; real VS Code is slow to start language servers on a busy 2-core machine. */
  timeoutMs?: number;
}

export interface TestResult {
  passes: number;
  failures: number;
  pending: number;
  failed: { title: string; err: string }[];
  durationMs: number;
}

/** Every `*.test.js` below `dir`, sorted so the run order is stable. */
export function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(full);
      else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(full);
    }
  };
  walk(dir);
  return found.sort();
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

/** Prints the closing "N passed, N failed" line and writes VSCODE_TEST_RESULT_FILE when set. */
function report(result: TestResult): void {
  const skipped = result.pending ? `, ${result.pending} skipped` : '';
  console.log(`${result.passes} passed, ${result.failures} failed${skipped}`);
  const resultFile = process.env.VSCODE_TEST_RESULT_FILE;
  if (!resultFile) return;
  try {
    fs.mkdirSync(path.dirname(resultFile), { recursive: true });
    fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  } catch (err) {
    console.error(`could not write ${resultFile}: ${errorText(err)}`);
  }
}

/** Runs the given suites with mocha (tdd ui); rejects unless at least one test ran and none failed. */
export function runMocha(opts: RunMochaOptions): Promise<void> {
  const started = Date.now();
  const failed: TestResult['failed'] = [];
  return new Promise<void>((resolve, reject) => {
    try {
      const mocha = new Mocha({ ui: 'tdd', color: false, timeout: opts.timeoutMs ?? 60_000 });
      const grep = process.env.VSCODE_TEST_GREP;
      if (grep) mocha.grep(new RegExp(grep));
      for (const file of opts.files ?? []) mocha.addFile(file);
      for (const suite of opts.suites ?? []) {
        // What mocha.loadFiles() does for a file, done for a module bundled into this one.
        mocha.suite.emit('pre-require', globalThis, suite.name, mocha);
        mocha.suite.emit('require', suite.load(), suite.name, mocha);
        mocha.suite.emit('post-require', globalThis, suite.name, mocha);
      }
      const runner = mocha.run((failures) => {
        const stats = runner.stats;
        const result: TestResult = {
          passes: stats?.passes ?? 0,
          failures: stats?.failures ?? failures,
          pending: stats?.pending ?? 0,
          failed,
          durationMs: Date.now() - started,
        };
        report(result);
        if (result.failures > 0) reject(new Error(`${result.failures} test(s) failed`));
        else if (result.passes === 0) reject(new Error('no tests ran'));
        else resolve();
      });
      runner.on('fail', (test, err) => failed.push({ title: test.fullTitle(), err: errorText(err) }));
    } catch (err) {
      // a suite that throws while loading: count it as one failure so CI sees it
      console.error(errorText(err));
      report({ passes: 0, failures: 1, pending: 0, failed: [{ title: 'loading suites', err: errorText(err) }],
        durationMs: Date.now() - started });
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** Default entry: all compiled `*.test.js` files next to (below) this module. */
export function run(): Promise<void> {
  const files = findTestFiles(__dirname);
  if (!files.length) {
    const err = `no *.test.js files under ${__dirname}`;
    report({ passes: 0, failures: 1, pending: 0, failed: [{ title: 'finding suites', err }], durationMs: 0 });
    return Promise.reject(new Error(err));
  }
  return runMocha({ files });
}
