/** `#workers`: the Python worker pool, one row per worker, and the pool actions. */
import type { PoolStatusParams, WorkerInfo } from '../protocol/lsp';
import { button, h, type VNode } from './vdom';

export function workerState(w: WorkerInfo): string {
  if (w.state === 'busy') return w.job ? `busy on ${w.job}` : 'busy';
  return w.state;
}

function summary(pool: PoolStatusParams): string {
  const parts = [`${pool.state}`, `${pool.busy}/${pool.workers} busy`, `${pool.queued} queued`, `${pool.restarts} restarts`];
  return parts.join(', ');
}

export function renderWorkers(pool: PoolStatusParams | undefined): VNode {
  const actions = h(
    'div',
    { class: 'actions' },
    button('Restart workers', { kind: 'post', msg: { type: 'restartWorkers' } }, { 'data-key': 'restartWorkers' }),
    button('Clear cache', { kind: 'post', msg: { type: 'clearCache' } }, { 'data-key': 'clearCache' }),
    button('Show log', { kind: 'post', msg: { type: 'showLog' } }, { 'data-key': 'showLog' }),
  );
  if (!pool) {
    return h('section', { id: 'workers', 'aria-labelledby': 'workers-h' }, h('h2', { id: 'workers-h' }, 'Workers'), h('p', { class: 'muted' }, 'No pool status yet.'), actions);
  }
  const rows = pool.detail.map((w) =>
    h(
      'tr',
      { class: `worker worker-${w.state}` },
      h('td', { class: 'num' }, w.id),
      h('td', { class: 'num' }, w.pid ?? '–'),
      h('td', {}, workerState(w)),
      h('td', { class: 'num' }, w.jobsDone),
      h('td', { class: 'num' }, w.restarts),
    ),
  );
  return h(
    'section',
    { id: 'workers', 'aria-labelledby': 'workers-h' },
    h('h2', { id: 'workers-h' }, 'Workers'),
    h(
      'dl',
      { class: 'pool' },
      h('dt', {}, 'pool'),
      h('dd', { class: `pool-${pool.state}` }, summary(pool)),
      h('dt', {}, 'python'),
      h('dd', {}, pool.python ?? 'unknown'),
      pool.message ? h('dt', {}, 'message') : null,
      pool.message ? h('dd', {}, pool.message) : null,
    ),
    rows.length
      ? h(
          'table',
          { class: 'workers' },
          h('thead', {}, h('tr', {}, ...['id', 'pid', 'state', 'jobs done', 'restarts'].map((t, k) => h('th', { scope: 'col', class: k === 2 ? undefined : 'num' }, t)))),
          h('tbody', {}, ...rows),
        )
      : h('p', { class: 'muted' }, 'No workers running.'),
    actions,
  );
}
