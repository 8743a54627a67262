/** `#phases` (where the last run's wall time went) and `#cache` (hit rates of the two caches). */
import type { RunResultParams } from '../protocol/lsp';
import type { CacheCounts, RunJson } from '../protocol/results';
import { hitRate, jobCounts, percent, seconds, when } from './format';
import { h, withStyle, type VNode } from './vdom';

export interface PhaseRow {
  name: string;
  ms: number;
  /** share of the total in percent, 0..100 */
  share: number;
}

const ORDER = ['startup', 'discover', 'inline', 'score', 'store'];

/**
 * The run's phases in pipeline order with `unaccounted` last (computed as wall - sum when the run lacks it), and the
 * total. Shares are of max(wall, sum of phases) so they add up to 100 even when rounding makes the phases exceed wall.
 */
export function phaseRows(run: RunJson): { rows: PhaseRow[]; totalMs: number } {
  const known = run.phases.filter((p) => p.name !== 'unaccounted');
  known.sort((a, b) => rank(a.name) - rank(b.name));
  const sum = known.reduce((acc, p) => acc + p.ms, 0);
  const given = run.phases.find((p) => p.name === 'unaccounted');
  const unaccounted = given ? given.ms : Math.max(0, run.summary.wallMs - sum);
  const all = [...known, { name: 'unaccounted', ms: unaccounted }];
  const denom = Math.max(run.summary.wallMs, sum + unaccounted);
  return { rows: all.map((p) => ({ name: p.name, ms: p.ms, share: denom > 0 ? (100 * p.ms) / denom : 0 })), totalMs: run.summary.wallMs };
}

function rank(name: string): number {
  const i = ORDER.indexOf(name);
  return i < 0 ? ORDER.length : i;
}

/** A horizontal bar whose width is `share` percent of its track (width set through the CSSOM). */
export function bar(share: number, cls = ''): VNode {
  const clamped = Math.max(0, Math.min(100, share));
  return h('div', { class: 'bar-track', 'aria-hidden': 'true' }, withStyle(h('div', { class: `bar ${cls}`.trim() }), { width: `${clamped.toFixed(2)}%` }));
}

export function runCaption(last: RunResultParams): string {
  const r = last.run;
  const s = r.summary;
  const what = last.reason === 'task' && last.taskId ? `task ${last.taskId}` : last.reason;
  const cancelled = r.cancelled ? ` (cancelled after ${s.ran + s.cached} of ${s.jobs} jobs)` : '';
  if (last.reason === 'cache') return `From the cache, ${when(r.startedAt)} (nothing ran) — ${s.tasks} tasks, solved ${s.solved}, jobs ${jobCounts(s)}`;
  return `Last run: ${what}, ${when(r.startedAt)}, ${r.temperature}${cancelled} — ${s.tasks} tasks, solved ${s.solved}, jobs ${jobCounts(s)}`;
}

export function renderPhases(last: RunResultParams): VNode {
  const { rows, totalMs } = phaseRows(last.run);
  const body = rows.map((r) =>
    h(
      'tr',
      { class: r.name === 'unaccounted' ? 'unaccounted' : undefined },
      h('th', { scope: 'row' }, r.name),
      h('td', { class: 'num' }, seconds(r.ms)),
      h('td', { class: 'num' }, `${r.share.toFixed(1)}%`),
      h('td', { class: 'bar-cell' }, bar(r.share, `phase-${r.name}`)),
    ),
  );
  const total = h('tr', { class: 'total' }, h('th', { scope: 'row' }, 'total'), h('td', { class: 'num' }, seconds(totalMs)), h('td', { class: 'num' }, '100.0%'), h('td', {}));
  return h(
    'section',
    { id: 'phases', 'aria-labelledby': 'phases-h' },
    h('h2', { id: 'phases-h' }, 'Where the time went'),
    h(
      'table',
      { class: 'phases' },
      h('caption', {}, runCaption(last)),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'component'), h('th', { scope: 'col', class: 'num' }, 'time (s)'), h('th', { scope: 'col', class: 'num' }, '% of total'), h('th', { scope: 'col' }, 'share'))),
      h('tbody', {}, ...body),
      h('tfoot', {}, total),
    ),
  );
}

function cacheRow(label: string, c: CacheCounts): VNode {
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, label),
    h('td', { class: 'num' }, c.hits),
    h('td', { class: 'num' }, c.misses),
    h('td', { class: 'num' }, hitRate(c)),
    h('td', { class: 'num' }, c.entries),
    h('td', { class: 'num' }, `~${seconds(c.savedMs, 2)} s`),
  );
}

export function renderCache(run: RunJson): VNode {
  const v = run.cache.validation;
  const i = run.cache.inline;
  const lookups = v.hits + v.misses + i.hits + i.misses;
  return h(
    'section',
    { id: 'cache', 'aria-labelledby': 'cache-h' },
    h('h2', { id: 'cache-h' }, 'Caches'),
    h(
      'table',
      { class: 'cache' },
      h('caption', {}, `Hits ${percent(v.hits + i.hits, lookups)} of ${lookups} lookups in the last run; time saved is measured when entries were made`),
      h(
        'thead',
        {},
        h('tr', {}, ...['cache', 'hits', 'misses', 'hit rate', 'entries', 'time saved (measured)'].map((t, k) => h('th', { scope: 'col', class: k ? 'num' : undefined }, t))),
      ),
      h('tbody', {}, cacheRow('validation', v), cacheRow('inlining', i)),
    ),
  );
}
