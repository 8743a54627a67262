/** `batt submit`: the competition's two-attempt submission file from a run, and `--check` of any submission file. */
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../engine/errors';
import { errorLines } from '../engine/report';
import { SUBMIT_RANKING } from '../engine/submit/attempts';
import { problemLine } from '../engine/submit/check';
import { checkSubmissionFile, submit } from '../engine/submit/submit';
import { scoreLine, submitText } from '../engine/submit/text';
import { printableLines } from '../engine/tasks/printable';
import { parseArgs, type RunArgs } from './args';
import { cliEngine, onInterrupt } from './setup';
import { ProgressBar } from './progress';

/** `text` as lines of at most `width` characters, broken at spaces. */
function wrap(text: string, width = 118): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

export const SUBMIT_USAGE = `Usage:
  batt submit [options]                           run the candidates and write the two-attempt submission file
  batt submit --check FILE --tasks CHALLENGES     validate a submission file (written by anyone) against the challenges

${wrap(
  'For every task and every test input, attempt_1 and attempt_2 are the test outputs of the two best candidates that ' +
    `give different grids for that input. Ranking: ${SUBMIT_RANKING}. Every candidate that passes its demo pairs also runs ` +
    'under a second PYTHONHASHSEED; one whose outputs differ is unstable. A candidate that fails a demo pair fills a ' +
    'slot only when nothing better gives another grid (the report lists those). A slot no candidate fills holds the ' +
    'test input itself (both slots when no candidate gives an output), so the file always has every task id of the ' +
    'challenges, one {"attempt_1", "attempt_2"} per test input, grids of integers 0-9. With the test outputs known (a ' +
    '*_solutions.json or *-solutions.json beside the challenges, or a folder of task files) the report gives the score, ' +
    'averaged per test output as the competition does, and the oracle gap: test outputs some candidate got right but ' +
    'neither attempt did.',
)}

Options for submit:
  -w, --workspace DIR   workspace holding the solver .py files (default: current folder)
  -t, --tasks PATH      a Kaggle *_challenges.json (or *-challenges.json), a folder of bundles or of <id>.json task
                        files (default: batt.json "tasks", else <workspace>/tasks, else <workspace>/data/training)
  -o, --out FILE        the submission file to write (default: submission.json)
  -b, --battery         every candidate of the workspace (and of the solver store) is a candidate for every task
      --all-pairs       run every pair: a transfer candidate that fails a demo pair still gives its test outputs
                        (a test pair never stops a candidate: the file does not depend on the test outputs known)
      --include-store   also run the candidates of the solver store
      --check FILE      validate FILE against --tasks: each problem with its JSON place; runs nothing
  -n, --workers N  --timeout SEC  --memory MB  --timeout-quarantine K  --python PATH  --cache-dir DIR
      --cluster ADDR  --cluster-python PATH
      --no-cache  --no-sandbox  --no-progress
                        as for batt run (batt run --help)
      --json            print the report as one JSON document
  -v, --verbose         list every attempt's candidate and every entry of the report's lists

Exit codes: 0 the file was written (or, with --check, it is valid), 1 --check found problems (or an internal
failure), 2 usage or configuration error, 130 cancelled by Ctrl-C (no file written).`;

export interface SubmitArgs {
  run: RunArgs;
  out: string;
  check?: string;
}

/** Flags of batt run that make no sense for a submission (it answers every task of the challenges). */
const NOT_FOR_SUBMIT = new Set(['-i', '--task', '--store', '--strict']);

export function parseSubmitArgs(argv: string[]): SubmitArgs | 'help' {
  if (argv.some((f) => f === '--help' || f === '-h')) return 'help';
  const rest: string[] = [];
  let out: string | undefined;
  let check: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('-') && argv[i].indexOf('=') > 1 ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    if (flag === '-o' || flag === '--out' || flag === '--check') {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('-') && v.length > 1)) throw new UsageError(`${flag} needs a file`);
      if (flag === '--check') {
        if (check !== undefined) throw new UsageError('--check given twice (one file per check)');
        check = v;
      } else {
        if (out !== undefined) throw new UsageError('--out given twice (one submission file per run; the second would silently win)');
        out = v;
      }
    } else if (NOT_FOR_SUBMIT.has(flag)) {
      throw new UsageError(`${flag} is not an option of batt submit (a submission answers every task of the challenges; see batt submit --help)`);
    } else rest.push(argv[i]);
  }
  const parsed = parseArgs(['run', ...rest]);
  if (parsed.cmd !== 'run') return 'help';
  if (check !== undefined) {
    const extra = rest.filter((f) => f.startsWith('-') && !/^(-t|--tasks|--json)(=|$)/.test(f));
    if (extra.length) throw new UsageError(`--check takes only --tasks and --json, got ${extra[0]}`);
    if (out !== undefined) throw new UsageError('--check writes nothing: --out does not go with it');
    if (!parsed.tasks) throw new UsageError('--check needs --tasks <..._challenges.json | folder>: the challenges the file answers');
  }
  return { run: parsed, out: out ?? 'submission.json', check };
}

async function checkCommand(file: string, a: RunArgs): Promise<number> {
  const tasks = path.resolve(a.tasks!);
  if (!fs.existsSync(tasks)) throw new UsageError(`tasks path ${a.tasks} (--tasks) does not exist`);
  if (!fs.existsSync(file)) throw new UsageError(`submission file ${file} (--check) does not exist`);
  const r = await checkSubmissionFile(file, tasks);
  if (a.json) {
    process.stdout.write(JSON.stringify({ valid: r.problems.length === 0, ...r, problems: r.problems.map((p) => ({ ...p, text: problemLine(p) })) }, null, 2) + '\n');
  } else {
    if (r.challengeErrors.length) process.stderr.write(printableLines(errorLines({ errors: r.challengeErrors })) + '\n');
    const lines = r.problems.map(problemLine);
    const what = `${r.tasks} task${r.tasks === 1 ? '' : 's'}, ${r.testInputs} test input${r.testInputs === 1 ? '' : 's'}`;
    lines.push(r.problems.length ? `${file}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} (the challenges: ${what})` : `${file}: valid (${what})`);
    if (r.score) lines.push(scoreLine(r.score));
    process.stdout.write(printableLines(lines.join('\n')) + '\n');
  }
  return r.problems.length ? 1 : 0;
}

/** Fails before the run (which may take long) when the submission file cannot be written where asked. */
function checkOut(out: string): void {
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--out ${out}: folder ${dir} does not exist`);
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a folder`);
}

export async function submitCommand(argv: string[]): Promise<number> {
  const args = parseSubmitArgs(argv);
  if (args === 'help') {
    process.stdout.write(SUBMIT_USAGE + '\n');
    return 0;
  }
  const a = args.run;
  if (args.check !== undefined) return checkCommand(args.check, a);
  checkOut(args.out);
  const engine = cliEngine(a);
  const stop = onInterrupt();
  const bar = new ProgressBar(process.stderr, a.progress && !a.json && !!process.stderr.isTTY);
  try {
    const r = await submit(engine, {
      out: args.out,
      battery: a.battery,
      allPairs: a.allPairs,
      includeStore: a.includeStore || a.battery,
      noCache: a.noCache,
      signal: stop.signal,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.done();
    if (a.json) {
      const { submission: _file, ...doc } = r;
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    } else {
      if (r.errors.length) process.stderr.write(printableLines(errorLines(r)) + '\n');
      process.stdout.write(printableLines(submitText(r, { verbose: a.verbose })) + '\n');
    }
    return stop.interrupted || r.cancelled ? 130 : 0;
  } finally {
    bar.done();
    stop.dispose();
    await engine.dispose();
  }
}
