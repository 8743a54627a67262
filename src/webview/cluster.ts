/**
 * `#cluster`: where a `--cluster` run's batches spent their time (submit, queue, run, gather, each summed over the
 * batches, so `run` can exceed the wall time) and the Dask workers with what this run did on each. Shown on the
 * Timing tab after a cluster run only (RunJson.pool.cluster; src/protocol/cluster.ts).
 */
import type { RunJson } from '../protocol/results';
import { seconds } from './format';
import { h, type VNode } from './vdom';

function mib(bytes: number): string {
  return bytes ? `${Math.round(bytes / 2 ** 20)} MiB` : 'no limit';
}

export function renderCluster(run: RunJson): VNode | null {
  // a run restored from an older panel state (or made by hand) may have no pool part at all
  const pool: Partial<RunJson['pool']> | undefined = run.pool;
  const c = pool?.cluster;
  if (!c) return null;
  const phase = (n: string) => c.phases.find((p) => p.name === n)?.ms ?? 0;
  const overhead = c.batches ? (phase('submit') + phase('gather')) / c.batches : 0;
  return h(
    'section',
    { id: 'cluster', 'aria-labelledby': 'cluster-h' },
    h('h2', { id: 'cluster-h' }, 'Cluster'),
    h(
      'dl',
      { class: 'pool' },
      h('dt', {}, 'scheduler'),
      h('dd', {}, `${c.scheduler} (distributed ${c.distributed})`),
      h('dt', {}, 'batches'),
      h('dd', {}, `${c.batches} batches, ${c.jobs} jobs (${c.batches ? (c.jobs / c.batches).toFixed(1) : '0'} a batch); ${overhead.toFixed(1)} ms a batch to submit and gather`),
    ),
    h(
      'table',
      { class: 'phases cluster-phases' },
      h('caption', {}, 'each phase summed over the batches (batches run in parallel)'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'phase'), h('th', { scope: 'col', class: 'num' }, 'time (s)'))),
      h('tbody', {}, ...c.phases.map((p) => h('tr', {}, h('th', { scope: 'row' }, p.name), h('td', { class: 'num' }, seconds(p.ms))))),
    ),
    h(
      'table',
      { class: 'workers cluster-workers' },
      h('thead', {}, h('tr', {}, ...['Dask worker', 'name', 'threads', 'memory', 'batches', 'jobs'].map((t, k) => h('th', { scope: 'col', class: k >= 2 ? 'num' : undefined }, t)))),
      h(
        'tbody',
        {},
        ...c.workers.map((w) =>
          h('tr', {}, h('td', {}, w.address), h('td', {}, w.name), h('td', { class: 'num' }, w.nthreads), h('td', { class: 'num' }, mib(w.memoryLimit)), h('td', { class: 'num' }, w.batches), h('td', { class: 'num' }, w.jobsDone)),
        ),
      ),
    ),
  );
}
