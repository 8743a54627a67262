/**
 * The items of the "Run batt on task" quick pick: each task's pairs, candidate count and last verdict, unsolved
 * first, filtered by verdict. No vscode: unit-tested; extension.ts turns the groups into a QuickPick.
 */
import type { TaskInfo } from '../protocol/lsp';
import type { TaskRow } from '../protocol/webview';

export type Verdict = 'unsolved' | 'not run' | 'solved';
export type VerdictFilter = 'all' | Verdict;

/** The verdict filter's cycle (the quick pick's filter button steps through it). */
export const VERDICT_FILTERS: VerdictFilter[] = ['all', 'unsolved', 'not run', 'solved'];
/** Groups in the order the quick pick lists them: what needs work first. */
const ORDER: Verdict[] = ['unsolved', 'not run', 'solved'];

export interface TaskPickItem {
  id: string;
  label: string;
  description: string;
  detail: string;
  verdict: Verdict;
}

export interface TaskPickGroup {
  verdict: Verdict;
  items: TaskPickItem[];
}

export function nextFilter(f: VerdictFilter): VerdictFilter {
  return VERDICT_FILTERS[(VERDICT_FILTERS.indexOf(f) + 1) % VERDICT_FILTERS.length];
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** One task's item: the panel's known result for it when there is one, else the server's last verdict. */
export function taskPickItem(t: TaskInfo, row: TaskRow | undefined): TaskPickItem {
  const verdict: Verdict = row ? (row.solved ? 'solved' : 'unsolved') : (t.last ?? 'not run');
  const pairs = `${t.demo} demo, ${t.test} test`;
  const description = row ? `${pairs} · ${plural(row.candidates, 'candidate')} · ${verdict}` : `${pairs} · ${verdict}`;
  let detail = verdict === 'not run' ? 'not run yet' : `last run: ${verdict}`;
  if (row?.best) detail += ` — best ${row.best}, ${row.passed}/${row.pairs} pairs${row.credit !== undefined && !row.solved ? `, ${Math.round(row.credit * 100)}% of cells` : ''}`;
  return { id: t.id, label: t.id, description, detail, verdict };
}

/** The tasks grouped by verdict (unsolved, not run, solved), each group in listing order; empty groups left out. */
export function taskPickGroups(tasks: TaskInfo[], rows: ReadonlyMap<string, TaskRow>, filter: VerdictFilter = 'all'): TaskPickGroup[] {
  const items = tasks.map((t) => taskPickItem(t, rows.get(t.id)));
  return ORDER.filter((v) => filter === 'all' || filter === v)
    .map((verdict) => ({ verdict, items: items.filter((i) => i.verdict === verdict) }))
    .filter((g) => g.items.length);
}
