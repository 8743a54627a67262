/** `#history`: wall time of recent runs as an SVG bar chart coloured by temperature, and a table of the last ten. */
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

/** Bars for the newest `maxBars` records (oldest left), heights proportional to wall time, at least 1 px. */
export function historyBars(history: RunRecord[]): BarGeom[] {
  const recs = history.slice(-CHART.maxBars);
  if (!recs.length) return [];
  const max = Math.max(...recs.map((r) => r.summary.wallMs), 1);
  const slot = CHART.width / CHART.maxBars;
  const width = Math.max(1, slot - CHART.gap);
  return recs.map((r, i) => {
    const height = Math.max(1, Math.round(((CHART.height - 1) * r.summary.wallMs) / max));
    return { x: Math.round(i * slot * 100) / 100, y: CHART.height - height, width, height, temperature: r.temperature, record: r };
  });
}

function chart(history: RunRecord[]): VNode {
  const bars = historyBars(history).map((b) =>
    s(
      'rect',
      { class: `temp-${b.temperature}`, x: b.x, y: b.y, width: b.width, height: b.height },
      s('title', {}, `${when(b.record.at)}: ${seconds(b.record.summary.wallMs)} s, ${b.temperature}`),
    ),
  );
  return s(
    'svg',
    {
      class: 'history-chart',
      viewBox: `0 0 ${CHART.width} ${CHART.height}`,
      width: CHART.width,
      height: CHART.height,
      role: 'img',
      'aria-label': `Wall time of the last ${bars.length} runs`,
    },
    s('line', { class: 'axis', x1: 0, y1: CHART.height - 0.5, x2: CHART.width, y2: CHART.height - 0.5 }),
    ...bars,
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
    history.length ? chart(history) : h('p', { class: 'muted' }, 'No runs recorded yet.'),
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
