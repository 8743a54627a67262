/** The text report of `batt submit` (the CLI prints it; the editor shows it). Pure. */
import * as path from 'path';
import { stabilityLine } from '../report';
import type { SlotSource, SubmitReport, SubmitScore, TestReport } from './types';

const LIST_LIMIT = 10;

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function scoreLine(s: SubmitScore): string {
  const unknown = s.unknown ? `; ${plural(s.unknown, 'test output')} unknown, not scored` : '';
  return `score: ${s.right}/${s.total} test outputs right (${percent(s.score)}); ${s.tasksRight} of ${plural(s.tasks, 'task')} all right${unknown}`;
}

function slot(a: SlotSource): string {
  if (a.kind === 'fallback') return 'the test input (fallback)';
  const flags = [`demo ${a.demo.passed}/${a.demo.total}`, ...(a.unstable ? ['unstable'] : [])];
  return `${a.name} (${flags.join(', ')})`;
}

function mark(t: TestReport, i: 0 | 1): string {
  return t.right ? (t.right[i] ? ' ✓' : ' ✗') : '';
}

/** `items` as indented lines, the first LIST_LIMIT unless verbose, then how many more. */
function capped(items: string[], verbose: boolean): string[] {
  const shown = verbose ? items : items.slice(0, LIST_LIMIT);
  const more = items.length - shown.length;
  return [...shown.map((l) => `  ${l}`), ...(more > 0 ? [`  … ${more} more (use --verbose)`] : [])];
}

export function submitText(r: SubmitReport, opts: { verbose?: boolean; cwd?: string } = {}): string {
  const verbose = !!opts.verbose;
  const rel = r.out && path.relative(opts.cwd ?? process.cwd(), r.out);
  const where = rel && !rel.startsWith('..') ? rel : r.out;
  const fromCandidates = r.testInputs * 2 - r.fallbackSlots;
  const s = r.summary;
  const run =
    `run: ${plural(s.tasks, 'task')}, ${plural(s.candidates, 'candidate')}, jobs = ${s.jobs} (ran ${s.ran}, ${s.cached} cached${s.cancelled ? `, ${s.cancelled} cancelled` : ''})` +
    `${s.skipped ? `, ${s.skipped} skipped` : ''} in ${(s.wallMs / 1000).toFixed(3)}s`;
  // A cancelled run's attempts and score stand for nothing (candidates lack pairs): only what ran.
  if (r.cancelled) return [`cancelled after ${s.ran + s.cached} of ${s.jobs} jobs: no submission written`, run].join('\n');
  const out: string[] = [];
  out.push(
    `${where ? `wrote ${where}` : 'submission (not written)'}: ${plural(r.tasks, 'task')}, ${plural(r.testInputs, 'test input')}, ` +
      `${plural(r.testInputs * 2, 'attempt')} (${fromCandidates} from candidates, ${r.fallbackSlots} the test input as fallback)`,
  );
  out.push(r.score ? scoreLine(r.score) : 'score: unknown (no test outputs: no solutions file beside the challenges)');
  if (r.score) {
    const lost = r.oracleGap.reduce((n, g) => n + g.tests.length, 0);
    out.push(`oracle gap: ${plural(lost, 'test output')} some candidate got right but neither attempt did${lost ? ':' : ''}`);
    out.push(...capped(r.oracleGap.flatMap((g) => g.tests.map((t) => `${g.task} test ${t.index}: ${t.candidates.join(', ')}`)), verbose));
  }
  if (r.noOutput) {
    const none = r.tests.filter((t) => t.outputs === 0).map((t) => `${t.task} test ${t.index}`);
    out.push(`no candidate output for ${plural(r.noOutput, 'test input')} (both attempts are the test input):`);
    out.push(...capped(none, verbose));
  }
  if (r.demoFailing.length) {
    out.push(`${plural(r.demoFailing.length, 'attempt')} from candidates that fail a demo pair (nothing better gave another grid):`);
    out.push(...capped(r.demoFailing.map((d) => `${d.task} test ${d.index} attempt_${d.slot}: ${d.name} (demo ${d.demo.passed}/${d.demo.total})`), verbose));
  }
  if (r.unstable.length) {
    out.push(`${plural(r.unstable.length, 'unstable candidate')} (outputs differ under another PYTHONHASHSEED; ranked below stable ones):`);
    out.push(...capped(r.unstable.map((u) => `${u.task} ${u.name}`), verbose));
  }
  if (verbose) {
    out.push('', 'attempts:');
    for (const t of r.tests) out.push(`  ${t.task} test ${t.index}: attempt_1 ${slot(t.attempts[0])}${mark(t, 0)}; attempt_2 ${slot(t.attempts[1])}${mark(t, 1)}`);
  }
  out.push('', run);
  const stability = stabilityLine(r);
  if (stability) out.push(stability);
  return out.join('\n');
}
