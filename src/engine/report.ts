/**
 * Text renderings users of run_batt already read (domain.md §6): the `Timing summary (seconds):` table and the
 * `=== Cache Statistics ===` block, plus batt's own per-task lines and summary.
 */
import * as path from 'path';
import type { CacheCounts, CandidateJson, PairJson, RunJson } from '../protocol/results';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function num(v: number, width: number, digits: number): string {
  const s = v.toFixed(digits);
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

/** `Timing summary (seconds):` — `f"  {key:32s} {value:8.3f}"`, sorted by value descending; then each phase's share. */
export function timingSummary(r: RunJson): string {
  const rows = [...r.phases, { name: 'total', ms: r.summary.wallMs }].sort((a, b) => b.ms - a.ms);
  const lines = ['', 'Timing summary (seconds):'];
  for (const p of rows) lines.push(`  ${pad(`batt.${p.name}`, 32)} ${num(p.ms / 1000, 8, 3)}`);
  lines.push('', 'Share of wall time (%):');
  const total = r.summary.wallMs || 1;
  for (const p of [...r.phases].sort((a, b) => b.ms - a.ms)) lines.push(`  ${pad(`batt.${p.name}`, 32)} ${num((100 * p.ms) / total, 8, 1)}`);
  return lines.join('\n');
}

/**
 * After a `--cluster` run: the cluster's phases in the timing summary's layout (each summed over the batches, so they
 * can exceed the wall time) and what each Dask worker ran. '' for a local run.
 */
export function clusterSummary(r: RunJson): string {
  const c = r.pool.cluster;
  if (!c) return '';
  const phase = (n: string) => c.phases.find((p) => p.name === n)?.ms ?? 0;
  const overhead = c.batches ? (phase('submit') + phase('gather')) / c.batches : 0;
  const lines = ['', `Cluster ${c.scheduler} (distributed ${c.distributed}): ${c.batches} batches, ${c.jobs} jobs; ${overhead.toFixed(1)} ms a batch to submit and gather`];
  lines.push('Cluster timing (seconds, summed over the batches):');
  for (const p of c.phases) lines.push(`  ${pad(`cluster.${p.name}`, 32)} ${num(p.ms / 1000, 8, 3)}`);
  lines.push('Dask workers:');
  for (const w of c.workers) lines.push(`  ${w.address}  ${w.name}  ${w.nthreads} thread${w.nthreads === 1 ? '' : 's'}  ${w.batches} batches  ${w.jobsDone} jobs`);
  return lines.join('\n');
}

function cacheBlock(title: string, c: CacheCounts): string[] {
  const total = c.hits + c.misses;
  const rate = total ? (100 * c.hits) / total : 0;
  return [`${title}:`, `  Hits: ${c.hits}`, `  Misses: ${c.misses}`, `  Total: ${total}`, `  Hit Rate: ${rate.toFixed(1)}%`, `  Cache Size: ${c.entries} entries`];
}

/**
 * `=== Cache Statistics ===` in run_batt's layout. "Time Saved" lines follow the Inlining block (validation first), each
 * only when its cache had hits; unlike run_batt they are the durations measured when the reused entries were made.
 */
export function cacheStatistics(r: RunJson): string {
  const v = r.cache.validation;
  const i = r.cache.inline;
  const lines = ['', '=== Cache Statistics ===', '', ...cacheBlock('Validation Cache', v), '', ...cacheBlock('Inlining Cache', i)];
  if (v.hits > 0) lines.push(`  Time Saved: ~${(v.savedMs / 1000).toFixed(2)}s`);
  if (i.hits > 0) lines.push(`  Time Saved: ~${(i.savedMs / 1000).toFixed(2)}s`);
  if (v.hits > 0 || i.hits > 0) lines.push('', `Total Time Saved: ~${((v.savedMs + i.savedMs) / 1000).toFixed(2)}s`);
  return lines.join('\n');
}

/** One mark per pair: ✓ pass, ✗ mismatch, ! exception/timeout/crash, ? unknown; · skipped and - cancelled (did not run). */
const MARKS: Record<PairJson['status'], string> = { pass: '✓', fail: '✗', error: '!', timeout: '!', crash: '!', unknown: '?', skipped: '·', cancelled: '-' };

function pairMark(c: CandidateJson): string {
  return c.pairs.map((p) => MARKS[p.status]).join('');
}

const DID_NOT_FAIL: ReadonlySet<PairJson['status']> = new Set(['pass', 'unknown', 'skipped', 'cancelled']);

/**
 * The first pair that ran and did not pass, e.g. "demo 1: expected 3x3, got 9x9"; for a candidate the engine skipped,
 * why (its first skipped pair's message). Pairs cancelled before they ran are not problems: the marks show them.
 */
export function firstProblem(c: CandidateJson): string | undefined {
  const p = c.pairs.find((x) => !DID_NOT_FAIL.has(x.status)) ?? (c.status === 'skipped' ? c.pairs.find((x) => x.status === 'skipped' && x.message) : undefined);
  return p ? `${p.kind} ${p.index}: ${p.message ?? p.status}` : undefined;
}

/** An unstable candidate's first differing pair, and how many more (CandidateJson.unstable). */
function unstableProblem(c: CandidateJson): string {
  const [first, ...more] = c.unstablePairs ?? [];
  if (!first) return 'unstable: the output depends on set or dict order';
  return `unstable: ${first.message}${more.length ? ` (and ${more.length} more pair${more.length === 1 ? '' : 's'})` : ''}; the output depends on set or dict order`;
}

/**
 * With the stability check: `stability: N candidates passed their demo pairs and ran under PYTHONHASHSEED=1 too
 * (ran R, C cached): K unstable`; nothing without it.
 */
export function stabilityLine(r: Pick<RunJson, 'summary'>): string | undefined {
  const s = r.summary.stability;
  if (!s) return undefined;
  const n = `${s.checked} candidate${s.checked === 1 ? '' : 's'}`;
  return `stability: ${n} passed their demo pairs and ran under PYTHONHASHSEED=${s.seeds[1]} too (ran ${s.ran}, ${s.cached} cached): ${s.unstable} unstable`;
}

export function taskLines(r: RunJson, opts: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  for (const t of r.tasks) {
    const head = `${t.id}  ${t.solved ? 'SOLVED' : 'unsolved'}  (${t.demoPairs} demo, ${t.testPairs} test; ${t.candidates.length} candidate${t.candidates.length === 1 ? '' : 's'})`;
    out.push(head);
    const shown = opts.verbose ? t.candidates : t.candidates.slice(0, 10);
    for (const c of shown) {
      const where = `${path.relative(r.workspace, c.file) || c.file}:${c.line}`;
      const verdict = c.duplicateOf ? 'duplicate' : c.unstable ? 'unstable' : c.solved ? 'solves' : c.status;
      const counts = `demo ${c.demo.passed}/${c.demo.total}, test ${c.test.passed}/${c.test.total}${c.test.unknown ? ` (${c.test.unknown} unknown)` : ''}`;
      const problem = c.duplicateOf ? `same program as ${c.duplicateOf} (not run again)` : c.unstable ? unstableProblem(c) : c.solved ? '' : firstProblem(c);
      out.push(`  ${String(c.rank).padStart(3)}. ${pad(c.mutated ? `${c.name} mutated` : c.name, 28)} ${pad(pairMark(c), 6)} ${pad(verdict, 10)} ${counts}  ${c.ms.toFixed(1)} ms  ${where}${problem ? `\n        ${problem}` : ''}`);
    }
    if (shown.length < t.candidates.length) out.push(`       … ${t.candidates.length - shown.length} more (use --verbose)`);
  }
  return out.join('\n');
}

/** `jobs = J (ran R, C cached[, K cancelled])[, S skipped]`: J verdicts were needed, R executed now, C came from the cache. */
function jobCounts(s: RunJson['summary']): string {
  return `jobs = ${s.jobs} (ran ${s.ran}, ${s.cached} cached${s.cancelled ? `, ${s.cancelled} cancelled` : ''})${s.skipped ? `, ${s.skipped} skipped` : ''}`;
}

/**
 * `solved = N`; when test outputs are unknown (a Kaggle bundle without solutions) it says so and why:
 * `solved = ? (test outputs unknown: ...)` for all tasks, `solved = N (test outputs unknown for K of T tasks: ...)`.
 */
function solvedCount(s: RunJson['summary']): string {
  const u = s.unknownOutputs;
  if (!u) return `solved = ${s.solved}`;
  const why = u.reasons.length > 2 ? `${u.reasons.slice(0, 2).join('; ')}; ${u.reasons.length - 2} more` : u.reasons.join('; ');
  return u.tasks >= s.tasks ? `solved = ? (test outputs unknown: ${why})` : `solved = ${s.solved} (test outputs unknown for ${u.tasks} of ${s.tasks} tasks: ${why})`;
}

export function summaryLine(r: RunJson): string {
  const s = r.summary;
  const cancelled = r.cancelled ? `, cancelled after ${s.ran + s.cached} of ${s.jobs} jobs` : '';
  return (
    `${s.tasks} tasks - ${solvedCount(s)} - candidates = ${s.candidates} - ${jobCounts(s)} in ${(s.wallMs / 1000).toFixed(3)}s` +
    ` [${r.temperature}${cancelled}; pool ${r.pool.started ? `${r.pool.workers} workers` : 'not started'}, restarts ${r.pool.restarts}]`
  );
}

/** One line per input problem: `warning: <file>[:line[:col]][ place]: message` or `error: ...` (ErrorJson.severity). */
export function errorLines(r: Pick<RunJson, 'errors'>): string {
  return r.errors
    .map((e) => {
      const where = e.line ? `${e.file}:${e.line}${e.col ? `:${e.col}` : ''}` : e.file;
      return `${e.severity === 'warning' ? 'warning' : 'error'}: ${where}${e.place ? ` ${e.place}` : ''}: ${e.message}`;
    })
    .join('\n');
}

/** The input errors of a run, not its warnings: what `--strict` exits 3 for. */
export function inputErrorCount(r: RunJson): number {
  return r.errors.filter((e) => e.severity !== 'warning').length;
}
