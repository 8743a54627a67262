/**
 * A run's verdicts as the Testing view shows them (batt/testResults): each candidate on its own task with its pairs; a
 * mismatch with the expected and actual grids as rows of digits and the pair's place in its task file, an exception at
 * its raising line with the DSL frame. Pure: the tasks' grids and pair lines come from the discovery (testItems.ts).
 */
import { pathToFileURL } from 'url';
import type { CandidateJson, PairJson, RunJson } from '../protocol/results';
import type { RunReason } from '../protocol/lsp';
import type { TestCandidateResult, TestPairResult, TestResultsParams, TestTask } from '../protocol/testItems';
import { ownTask } from './diagnostics';

/** What the results need of a task: its grids' expected outputs and where its pairs are. */
export interface ResultTask {
  item?: TestTask;
  train: Array<{ output: number[][] }>;
  test: Array<{ output: number[][] | null }>;
}

/** A grid as rows of digits, one row a line: the diff editor lines the rows up. */
export function gridText(grid: number[][]): string {
  return grid.map((row) => row.join('')).join('\n');
}

/** file URIs, remembered: a 400-solver run asks for its file's once per pair (pathToFileURL is most of the cost) */
const uris = new Map<string, string>();
function uri(file: string): string {
  let u = uris.get(file);
  if (u === undefined) {
    if (uris.size >= 4096) uris.clear();
    u = pathToFileURL(file).toString();
    uris.set(file, u);
  }
  return u;
}

/** The Test Results entry's name for a run of this reason. */
export function resultsLabel(reason: RunReason): string {
  switch (reason) {
    case 'save':
      return 'batt: on save';
    case 'cache':
      return 'batt: cached verdicts (nothing ran)';
    case 'task':
      return 'batt: Run batt on task';
    case 'manual':
      return 'batt: Run every task';
    case 'candidates':
      return 'batt: run';
  }
}

function pairResult(c: CandidateJson, p: PairJson, task: ResultTask | undefined, cache: boolean): TestPairResult {
  const out: TestPairResult = { kind: p.kind, index: p.index, status: p.status, ms: p.ms };
  const fromCache = cache && p.cached ? ' (from the cache)' : '';
  if (p.message !== undefined || p.mismatch) out.message = (p.mismatch?.text ?? p.message ?? '') + fromCache;
  const lines = p.kind === 'demo' ? task?.item?.demoLines : task?.item?.testLines;
  const pairLine = lines?.[p.index];
  const pairPlace = task?.item && pairLine ? { uri: task.item.uri, line: pairLine } : { uri: uri(c.file), line: c.line };
  if (p.status === 'fail') {
    const expected = p.kind === 'demo' ? task?.train[p.index]?.output : task?.test[p.index]?.output;
    if (expected) out.expected = gridText(expected);
    if (p.actual) out.actual = gridText(p.actual);
    out.location = pairPlace;
  } else if (p.status === 'error') {
    const e = p.error;
    const line = e?.file === c.file && e.line ? e.line : c.line;
    out.location = { uri: uri(c.file), line };
    const frames = [{ label: c.name, uri: uri(c.file), line }];
    if (e?.dslFile && e.dslLine) frames.push({ label: e.dslFunc ?? 'the DSL', uri: uri(e.dslFile), line: e.dslLine });
    out.frames = frames;
    if (e?.dslFunc && e.dslFile && e.dslLine) out.message = `${out.message ?? e.type}\nraised in ${e.dslFunc} (${e.dslFile}:${e.dslLine})`;
  } else if (p.status === 'timeout' || p.status === 'crash') {
    out.location = { uri: uri(c.file), line: c.line };
  }
  return out;
}

/**
 * The run's own-task verdicts for the Testing view (a battery's transfer attempts are left to the leaderboard); `tasks`
 * by id: a task the discovery does not know gives its mismatches without the expected grid.
 */
export function testResults(run: RunJson, reason: RunReason, tasks: (id: string) => ResultTask | undefined): TestResultsParams {
  const results: TestCandidateResult[] = [];
  const cache = reason === 'cache';
  for (const t of run.tasks) {
    const task = tasks(t.id);
    for (const c of t.candidates) {
      if (!ownTask(c, t.id)) continue;
      results.push({
        uri: uri(c.file),
        name: c.name,
        taskId: t.id,
        status: c.status,
        solved: c.solved,
        ms: c.ms,
        ...(c.duplicateOf ? { duplicateOf: c.duplicateOf } : {}),
        cached: c.pairs.length > 0 && c.pairs.every((p) => p.cached || p.status === 'cancelled'),
        pairs: c.pairs.map((p) => pairResult(c, p, task, cache)),
      });
    }
  }
  return { folder: uri(run.workspace), reason, label: resultsLabel(reason), results };
}
