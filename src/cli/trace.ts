/** `batt trace SOLVER`: the value each line of one solver assigned, on every pair of its task (engine.trace). */
import { UsageError } from '../engine/errors';
import { parseArgs, type RunArgs } from './args';
import { cliEngine, onInterrupt } from './setup';
import { colourWanted, traceText } from './traceText';

export const TRACE_USAGE = `Usage:
  batt trace SOLVER [options]   the value each line of SOLVER assigned, on every pair of a task

SOLVER is a solver's function name (solve_<task>[_suffix]) or a batt entry (batt:<t>:<task>). Each top-level statement
that assigns a name is one row; each pair (demo pairs, then test) one column, headed by its verdict (from the
validation cache, else the pair is scored first: a trace never changes a verdict). A value is its kind and size
(3x3 and its colours for a grid, "5 obj", "7 cells", "4 idx", a number, a short repr); a row marked * has a value
whose kind, size or emptiness differs between pairs; the line where a pair raised shows the exception. On a colour
terminal small grids are also drawn in the ARC palette (NO_COLOR turns that off, FORCE_COLOR on). Traces are cached
under the verdicts' key: a repeated trace runs nothing.

Options for trace:
  -w, --workspace DIR   workspace holding the solver .py files (default: current folder)
  -t, --tasks PATH      a folder of <id>.json task files, one task file, or a Kaggle *_challenges.json (default:
                        batt.json "tasks", else <workspace>/tasks, else <workspace>/data/training)
  -i, --task ID         trace on this task (default: the one in SOLVER's name)
      --json            print the trace as one JSON document (TraceJson)
  -n, --workers N  --timeout SEC  --memory MB  --python PATH  --cache-dir DIR  --no-sandbox
                        as for batt run (batt run --help)

Exit codes: 0 the trace was printed, 2 usage or configuration error (an unknown solver or task among them),
1 internal failure, 130 cancelled by Ctrl-C.`;

export interface TraceArgs {
  run: RunArgs;
  solver: string;
  task?: string;
}

/** Flags of batt run that make no sense for one solver's trace. */
const NOT_FOR_TRACE = new Set(['-b', '--battery', '--all-pairs', '--check-stable', '--store', '--include-store', '--strict', '--timeout-quarantine', '-v', '--verbose', '--no-cache', '--no-progress', '--cluster', '--cluster-python']);

export function parseTraceArgs(argv: string[]): TraceArgs | 'help' {
  if (argv.some((f) => f === '--help' || f === '-h')) return 'help';
  const rest: string[] = [];
  let solver: string | undefined;
  let task: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const eq = f.startsWith('-') ? f.indexOf('=') : -1;
    const flag = eq > 1 ? f.slice(0, eq) : f;
    if (flag === '-i' || flag === '--task') {
      const v = eq > 1 ? f.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '' || (eq < 0 && v.startsWith('-'))) throw new UsageError(`${flag} needs a task id`);
      if (task !== undefined) throw new UsageError(`${flag} given twice (a trace is of one task)`);
      task = v;
    } else if (NOT_FOR_TRACE.has(flag)) {
      throw new UsageError(`${flag} is not an option of batt trace (see batt trace --help)`);
    } else if (!f.startsWith('-') && (i === 0 || !takesValue(argv[i - 1]))) {
      if (solver !== undefined) throw new UsageError(`one solver per trace: got ${solver} and ${f}`);
      solver = f;
    } else rest.push(f);
  }
  if (solver === undefined) throw new UsageError('batt trace needs a solver name (batt trace SOLVER; see batt trace --help)');
  const parsed = parseArgs(['run', ...rest]);
  if (parsed.cmd !== 'run') return 'help';
  return { run: parsed, solver, task };
}

/** Whether `flag` (as written, before any value) is one of batt run's flags that take a value. */
function takesValue(flag: string): boolean {
  return !flag.includes('=') && ['-w', '--workspace', '-t', '--tasks', '-n', '--workers', '--timeout', '--memory', '--python', '--cache-dir'].includes(flag);
}

export async function traceCommand(argv: string[]): Promise<number> {
  const args = parseTraceArgs(argv);
  if (args === 'help') {
    process.stdout.write(TRACE_USAGE + '\n');
    return 0;
  }
  const a = args.run;
  const engine = cliEngine(a, { local: true });
  const stop = onInterrupt();
  try {
    const t = await engine.trace({ solver: args.solver, task: args.task, signal: stop.signal });
    if (a.json) process.stdout.write(JSON.stringify(t, null, 2) + '\n');
    else process.stdout.write(traceText(t, { colour: colourWanted(process.env, !!process.stdout.isTTY), cwd: process.cwd() }));
    return stop.interrupted ? 130 : 0;
  } finally {
    stop.dispose();
    await engine.dispose();
  }
}
