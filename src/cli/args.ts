/** Command-line parsing for `batt` (no dependency; every mistake is a UsageError naming the flag). */
import { UsageError } from '../engine/errors';
import { SETTINGS, type SettingName } from '../protocol/settings';

export interface RunArgs {
  cmd: 'run';
  workspace: string;
  tasks?: string;
  taskIds: string[];
  battery: boolean;
  allPairs: boolean;
  /** --check-stable: candidates that pass their demo pairs also run under a second PYTHONHASHSEED */
  checkStable: boolean;
  store: boolean;
  includeStore: boolean;
  json: boolean;
  verbose: boolean;
  noCache: boolean;
  progress: boolean;
  /** exit 3 when any input error (not a warning) occurred */
  strict: boolean;
  workers?: number;
  timeoutMs?: number;
  memoryMB?: number;
  timeoutQuarantine?: number;
  python?: string;
  cacheDir?: string;
  /** false: --no-sandbox (solvers run unsandboxed; the run warns) */
  sandbox?: boolean;
  /** --cluster: the Dask scheduler that runs the jobs; --cluster-python: the coordinator's interpreter */
  cluster?: string;
  clusterPython?: string;
}

export interface CacheArgs {
  cmd: 'cache';
  action: 'stats' | 'clear';
  workspace: string;
  cacheDir?: string;
  json: boolean;
}

export type Args = RunArgs | CacheArgs | { cmd: 'submit'; argv: string[] } | { cmd: 'trace'; argv: string[] } | { cmd: 'help'; topic?: 'cache' } | { cmd: 'version' };

/** A setting's help line(s), from the model: flag, text, range, and where the value comes from without the flag. */
function option(name: SettingName): string {
  const s = SETTINGS[name];
  const cli = s.cli!;
  const flag = `  ${cli.short ? `${cli.short}, ` : '    '}${cli.flag} ${cli.arg}`;
  const head = flag.length < 24 ? flag.padEnd(24) : `${flag}\n${' '.repeat(24)}`;
  const range = s.min !== undefined ? `, ${s.min} to ${s.max}` : '';
  const from = [s.file && `batt.json "${s.file}"`, s.env && `$${s.env}`, s.defaultText ?? String(s.default)].filter(Boolean).join(', else ');
  return `${head}${cli.help}${range}\n${' '.repeat(24)}(default: ${from})`;
}

export const USAGE = `batt — run ARC DSL candidate solvers on tasks in a persistent Python worker pool

Usage:
  batt run [options]            score candidates on tasks; print verdicts, summary, timing and cache statistics
  batt cache stats|clear        show or clear the workspace's caches
  batt submit [options]         write the two-attempt submission file, its score and oracle gap (batt submit --help)
  batt trace SOLVER [options]   the value each line of a solver assigned, on every pair of its task (batt trace --help)
  batt --help | --version

Options for run:
  -w, --workspace DIR   workspace holding the solver .py files (default: current folder)
${option('tasksPath')}
  -i, --task ID         only this task (repeatable, or comma-separated)
  -b, --battery         every candidate of the workspace is a candidate for every task
      --all-pairs       run every pair: no stop at a transfer candidate's first failing pair, no timeout quarantine
      --check-stable    candidates that pass their demo pairs run again under a second PYTHONHASHSEED; another
                        output on any pair marks them unstable (ranked below the stable ones)
      --store           write solving candidates to <workspace>/.batt/solvers (content-addressed, never overwrites)
      --include-store   also run the candidates already in the solver store
${option('workers')}
${option('timeoutSeconds')}
${option('memoryLimitMB')}
${option('timeoutQuarantine')}
${option('pythonPath')}
${option('cacheDir')}
${option('cluster')}
${option('clusterPython')}
      --no-cache        do not reuse cached verdicts (results are still cached)
      --no-sandbox      run solvers without the Landlock sandbox (default: batt.json "sandbox", else on)
      --json            print one JSON document instead of text
  -v, --verbose         list every candidate, not the first 10 per task
      --no-progress     no progress bar (it is shown on a terminal for runs longer than a second)
      --strict          exit 3 when an input was skipped (an "error:" line; warnings do not count), for CI

The report goes to stdout; "warning:" and "error:" lines about the inputs go to stderr (with --json they are in the
document's "errors", an error without "severity", a warning with "severity": "warning").

Exit codes: 0 the run completed (whatever was solved), 2 usage or configuration error, 1 internal failure,
3 with --strict: the run completed but an input error occurred,
130 cancelled by Ctrl-C (the report of what ran is still printed; a second Ctrl-C quits at once).`;

function need(argv: string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined || (v.startsWith('-') && v.length > 1 && !/^-\d/.test(v))) throw new UsageError(`${flag} needs a value`);
  return v;
}

/**
 * A numeric setting's flag value: decimal text (not "0x3", "1e2" or ""), an integer where the model says so, within
 * the model's range.
 */
function number(v: string, flag: string, name: SettingName): number {
  const { min, max, type } = SETTINGS[name];
  const integer = type === 'integer';
  const n = Number(v);
  const text = integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)$/;
  if (!text.test(v.trim()) || !Number.isFinite(n) || n < min! || n > max!) {
    throw new UsageError(`${flag} must be a number: ${integer ? 'an integer' : 'a decimal number'} from ${min} to ${max}, got "${v}"`);
  }
  return n;
}

/** Flags that take one value and may appear once (a second one would silently win). */
const ONCE = new Set(['--workspace', '--tasks', '--workers', '--timeout', '--memory', '--timeout-quarantine', '--python', '--cache-dir', '--cluster', '--cluster-python']);
/** What a repeated flag is told, where there is more to say than "one per run". */
const ONCE_WHY: Record<string, string> = {
  '--tasks': 'one tasks path per run is supported: a folder, a task file or a Kaggle bundle',
};
const LONG: Record<string, string> = { '-w': '--workspace', '-t': '--tasks', '-n': '--workers' };

export const CACHE_USAGE = `Usage:
  batt cache stats [options]    each cache's entries, size and bound (bytes; least recently used evicted beyond it)
  batt cache clear [options]    delete the workspace's caches

Options for cache:
  -w, --workspace DIR   the workspace (default: current folder)
      --cache-dir DIR   cache folder (default: batt.json "cacheDir", else ~/.cache/batt/<folder>-<hash>)
      --json            print JSON instead of text (stats)`;

export function parseArgs(argv: string[]): Args {
  if (!argv.length || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return { cmd: 'help' };
  if (argv[0] === '--version' || argv[0] === '-V') return { cmd: 'version' };
  const [cmd, ...rest] = argv;
  if (cmd === 'cache') {
    if (rest.some((f) => f === '--help' || f === '-h')) return { cmd: 'help', topic: 'cache' };
    const action = rest[0];
    if (action !== 'stats' && action !== 'clear') throw new UsageError(`batt cache needs "stats" or "clear"${action ? `, got "${action}"` : ''}`);
    const a: CacheArgs = { cmd: 'cache', action, workspace: '.', json: false };
    for (let i = 1; i < rest.length; i++) {
      const f = rest[i];
      if (f === '-w' || f === '--workspace') a.workspace = need(rest, i++, f);
      else if (f === '--cache-dir') a.cacheDir = need(rest, i++, f);
      else if (f === '--json') a.json = true;
      else throw new UsageError(`unknown option ${f} for batt cache`);
    }
    return a;
  }
  if (cmd === 'submit') return { cmd: 'submit', argv: rest }; // parsed by src/cli/submit.ts
  if (cmd === 'trace') return { cmd: 'trace', argv: rest }; // parsed by src/cli/trace.ts
  if (cmd !== 'run') throw new UsageError(`unknown command "${cmd}" (expected run, trace, submit or cache; see batt --help)`);
  if (rest.some((f) => f === '--help' || f === '-h')) return { cmd: 'help' };
  const a: RunArgs = { cmd: 'run', workspace: '.', taskIds: [], battery: false, allPairs: false, checkStable: false, store: false, includeStore: false, json: false, verbose: false, noCache: false, progress: true, strict: false };
  const seen = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    let f = rest[i];
    let inline: string | undefined;
    const eq = f.indexOf('=');
    if (f.startsWith('-') && eq > 1) {
      inline = f.slice(eq + 1); // --workers=2, and -n=2 alike
      f = f.slice(0, eq);
    }
    if (!f.startsWith('-')) throw new UsageError(`unexpected argument "${f}" (did you mean --workspace ${f}?)`);
    const long = LONG[f] ?? f;
    if (ONCE.has(long)) {
      if (seen.has(long)) throw new UsageError(`${long} given twice (${ONCE_WHY[long] ?? 'one per run'}; the second would silently win)`);
      seen.add(long);
    }
    const val = () => (inline !== undefined ? inline : need(rest, i++, f));
    switch (f) {
      case '-w': case '--workspace': a.workspace = val(); break;
      case '-t': case '--tasks': a.tasks = val(); break;
      case '-i': case '--task': a.taskIds.push(...val().split(',').map((s) => s.trim()).filter(Boolean)); break;
      case '-b': case '--battery': a.battery = true; break;
      case '--all-pairs': a.allPairs = true; break;
      case '--check-stable': a.checkStable = true; break;
      case '--store': a.store = true; break;
      case '--include-store': a.includeStore = true; break;
      case '--json': a.json = true; break;
      case '-v': case '--verbose': a.verbose = true; break;
      case '--no-cache': a.noCache = true; break;
      case '--no-sandbox': a.sandbox = false; break;
      case '--no-progress': a.progress = false; break;
      case '--strict': a.strict = true; break;
      case '-n': case '--workers': a.workers = number(val(), f, 'workers'); break;
      case '--timeout': a.timeoutMs = number(val(), f, 'timeoutSeconds') * 1000; break;
      case '--memory': a.memoryMB = number(val(), f, 'memoryLimitMB'); break;
      case '--timeout-quarantine': a.timeoutQuarantine = number(val(), f, 'timeoutQuarantine'); break;
      case '--python': a.python = val(); break;
      case '--cache-dir': a.cacheDir = val(); break;
      case '--cluster': a.cluster = val(); break;
      case '--cluster-python': a.clusterPython = val(); break;
      default: throw new UsageError(`unknown option ${f} (see batt --help)`);
    }
  }
  return a;
}
