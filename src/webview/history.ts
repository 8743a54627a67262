/**
 * `#history`: wall time of recent runs as SVG bar charts coloured by temperature, one per scope (runs over 1 task and
 * over 400 are not compared on one scale), newest at the left as in the table of the last ten under them.
 */
import type { RunRecord } from '../protocol/lsp';
import { clock, hitRate, jobCounts, seconds, when } from './format';
import { h, s, type VNode } from './vdom';

export const CHART = { width: 320, height: 80, maxBars: 40, gap: 2 } as const;
export const TABLE_ROWS = 10;
const TEMPERATURES = ['cold', 'warm', 'hot'] as const;

export interface BarGeom {
  x: number;
  y: number;
  width: number;
  height: number;
  temperature: RunRecord['temperature'];
  record: RunRecord;
}

/** Space around a chart's plot area for the axes and their labels. */
const MARGIN = { left: 44, right: 6, top: 8, bottom: 18 } as const;
/** Scopes charted, the most recently run first. */
export const MAX_SERIES = 4;

/**
 * Bars for the newest `maxBars` records, in record order (oldest first), placed newest at the left, as the table
 * under the chart lists them newest first; heights proportional to wall time, at least 1 px.
 */
export function historyBars(history: RunRecord[]): BarGeom[] {
  const recs = history.slice(-CHART.maxBars);
  if (!recs.length) return [];
  const max = Math.max(...recs.map((r) => r.summary.wallMs), 1);
  const slot = CHART.width / CHART.maxBars;
  const width = Math.max(1, slot - CHART.gap);
  return recs.map((r, i) => {
    const height = Math.max(1, Math.round(((CHART.height - 1) * r.summary.wallMs) / max));
    return { x: Math.round((recs.length - 1 - i) * slot * 100) / 100, y: CHART.height - height, width, height, temperature: r.temperature, record: r };
  });
}

/** The scope of a run: how many tasks it covered (a save's few, "Run every task"'s 400). */
export function scopeOf(r: RunRecord): string {
  return r.summary.tasks === 1 ? '1 task' : `${r.summary.tasks} tasks`;
}

export interface Series {
  scope: string;
  /** oldest first */
  records: RunRecord[];
}

/** One series per scope, so runs of one scope are compared with each other only; the most recently run first. */
export function historySeries(history: RunRecord[]): Series[] {
  const by = new Map<string, RunRecord[]>();
  for (const r of history) {
    const k = scopeOf(r);
    by.set(k, [...(by.get(k) ?? []), r]);
  }
  const latest = (s: Series) => s.records[s.records.length - 1].at;
  return [...by.entries()].map(([scope, records]) => ({ scope, records })).sort((a, b) => latest(b).localeCompare(latest(a))).slice(0, MAX_SERIES);
}

function chart(series: Series): VNode {
  const geoms = historyBars(series.records);
  const max = Math.max(...geoms.map((b) => b.record.summary.wallMs), 1);
  const bars = geoms.map((b) =>
    s(
      'rect',
      { class: `temp-${b.temperature}`, x: b.x, y: b.y, width: b.width, height: b.height },
      s('title', {}, `${when(b.record.at)}: ${seconds(b.record.summary.wallMs)} s, ${b.temperature}, ${scopeOf(b.record)}`),
    ),
  );
  const W = CHART.width + MARGIN.left + MARGIN.right;
  const H = CHART.height + MARGIN.top + MARGIN.bottom;
  const plot = s('g', { transform: `translate(${MARGIN.left} ${MARGIN.top})` }, ...bars);
  return h(
    'figure',
    { class: 'history-series' },
    s(
      'svg',
      {
        class: 'history-chart',
        viewBox: `0 0 ${W} ${H}`,
        width: W,
        height: H,
        role: 'img',
        'aria-label': `Wall time of the last ${bars.length} runs of ${series.scope}, newest first, up to ${seconds(max)} s`,
      },
      s('line', { class: 'axis', x1: MARGIN.left - 0.5, y1: MARGIN.top, x2: MARGIN.left - 0.5, y2: MARGIN.top + CHART.height }),
      s('line', { class: 'axis', x1: MARGIN.left, y1: MARGIN.top + CHART.height - 0.5, x2: W - MARGIN.right, y2: MARGIN.top + CHART.height - 0.5 }),
      s('text', { class: 'tick', x: MARGIN.left - 4, y: MARGIN.top + 4, 'text-anchor': 'end' }, `${seconds(max, max < 10000 ? 2 : 1)} s`),
      s('text', { class: 'tick', x: MARGIN.left - 4, y: MARGIN.top + CHART.height, 'text-anchor': 'end' }, '0 s'),
      s('text', { class: 'axis-label', x: MARGIN.left, y: H - 4 }, `newest → older (${series.records.length > CHART.maxBars ? `last ${CHART.maxBars} of ` : ''}${series.records.length} runs)`),
      plot,
    ),
    h('figcaption', {}, `${series.scope}: wall time per run`),
  );
}

function legend(): VNode {
  return h(
    'ul',
    { class: 'legend' },
    ...TEMPERATURES.map((t) =>
      h('li', {}, s('svg', { class: 'swatch', width: 10, height: 10, 'aria-hidden': 'true' }, s('rect', { class: `temp-${t}`, width: 10, height: 10 })), h('span', {}, t)),
    ),
  );
}

export function renderHistory(history: RunRecord[]): VNode {
  const recent = history.slice(-TABLE_ROWS).reverse();
  const rows = recent.map((r) =>
    h(
      'tr',
      { class: r.cancelled ? 'cancelled' : undefined },
      h('td', { title: when(r.at) }, clock(r.at)),
      h('td', {}, h('span', { class: `temp temp-${r.temperature}` }, r.cancelled ? `${r.temperature} (cancelled)` : r.temperature)),
      h('td', { class: 'num' }, r.summary.tasks),
      h('td', { class: 'num' }, r.summary.solved),
      h('td', { class: 'num' }, jobCounts(r.summary)),
      h('td', { class: 'num' }, seconds(r.summary.wallMs)),
      h('td', { class: 'num' }, hitRate(r.cache.validation)),
    ),
  );
  return h(
    'section',
    { id: 'history', 'aria-labelledby': 'history-h' },
    h('h2', { id: 'history-h' }, 'Recent runs'),
    history.length ? h('div', { class: 'history-charts' }, ...historySeries(history).map(chart)) : h('p', { class: 'muted' }, 'No runs recorded yet.'),
    history.length ? legend() : null,
    history.length
      ? h(
          'table',
          { class: 'history' },
          h('caption', {}, `Last ${recent.length} of ${history.length} runs, newest first`),
          h('thead', {}, h('tr', {}, ...['time', 'temperature', 'tasks', 'solved', 'jobs', 'wall (s)', 'validation hits'].map((t, k) => h('th', { scope: 'col', class: k > 1 ? 'num' : undefined }, t)))),
          h('tbody', {}, ...rows),
        )
      : null,
  );
}
