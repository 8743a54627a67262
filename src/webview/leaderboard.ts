/** `#leaderboard` ("Run batt on task": every candidate on one task, ranked) and `#grid-diff` for the selected row. */
import type { RunResultParams } from '../protocol/lsp';
import type { CandidateJson, TaskJson } from '../protocol/results';
import { seconds, when } from './format';
import { renderCandidatePairs } from './pairView';
import { button, h, withAction, type VNode } from './vdom';

/** The leaderboard's task: the one named by `taskId`, else the only/first one. */
export function leaderboardTask(lb: RunResultParams): TaskJson | undefined {
  return lb.run.tasks.find((t) => t.id === lb.taskId) ?? lb.run.tasks[0];
}

export function ranked(task: TaskJson): CandidateJson[] {
  return [...task.candidates].sort((a, b) => a.rank - b.rank);
}

/** The selected candidate's name when it is still on the board, else the best ranked one. */
export function effectiveSelection(task: TaskJson | undefined, selected: string | undefined): string | undefined {
  if (!task || !task.candidates.length) return undefined;
  return task.candidates.some((c) => c.name === selected) ? selected : ranked(task)[0].name;
}

export function statusText(c: CandidateJson): string {
  if (c.duplicateOf) return 'duplicate';
  return c.solved ? 'solved' : c.status;
}

function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

function row(c: CandidateJson, selected: boolean): VNode {
  const testUnknown = c.test.unknown ? ` (+${c.test.unknown} ?)` : '';
  const link = button(`${baseName(c.file)}:${c.line}`, { kind: 'post', msg: { type: 'openLocation', file: c.file, line: c.line } }, {
    class: 'link',
    title: `${c.file}:${c.line}`,
    'data-key': `open:${c.name}`,
  });
  const tr = h(
    'tr',
    {
      class: ['candidate', `status-${c.duplicateOf ? 'duplicate' : c.solved ? 'solved' : c.status}`, selected ? 'selected' : ''].join(' ').trim(),
      tabindex: 0,
      'aria-selected': selected ? 'true' : 'false',
      'data-key': `row:${c.name}`,
      'data-nav': 'row',
    },
    h('td', { class: 'num' }, c.rank),
    h('td', { class: 'name' }, c.name),
    h('td', {}, link),
    h('td', {}, statusText(c)),
    h('td', { class: 'num' }, `${c.demo.passed}/${c.demo.total}`),
    h('td', { class: 'num' }, `${c.test.passed}/${c.test.total}${testUnknown}`),
    h('td', { class: 'num' }, c.ms.toFixed(1)),
    h('td', { class: 'dup' }, c.duplicateOf ?? ''),
  );
  return withAction(tr, { kind: 'select', candidate: c.name });
}

export function renderLeaderboard(lb: RunResultParams, selected: string | undefined): VNode {
  const task = leaderboardTask(lb);
  const taskId = lb.taskId ?? task?.id;
  const sel = effectiveSelection(task, selected);
  const candidates = task ? ranked(task) : [];
  const solved = candidates.filter((c) => c.solved && !c.duplicateOf).length;
  const caption = `${task ? task.id : 'no task'}: ${candidates.length} candidates, ${solved} solve it — ${when(lb.run.startedAt)}, ${seconds(lb.run.summary.wallMs)} s`;
  return h(
    'section',
    { id: 'leaderboard', 'aria-labelledby': 'leaderboard-h' },
    h('h2', { id: 'leaderboard-h' }, `Leaderboard${taskId ? ` — ${taskId}` : ''}`),
    h('div', { class: 'actions' }, taskId ? button('Run again', { kind: 'post', msg: { type: 'runTask', taskId } }, { 'data-key': 'runAgain' }) : null),
    candidates.length
      ? h(
          'table',
          { class: 'leaderboard', 'aria-describedby': 'leaderboard-help' },
          h('caption', {}, caption),
          h(
            'thead',
            {},
            h('tr', {}, ...['#', 'candidate', 'location', 'status', 'demo', 'test', 'ms', 'duplicate of'].map((t, k) => h('th', { scope: 'col', class: [0, 4, 5, 6].includes(k) ? 'num' : undefined }, t))),
          ),
          h('tbody', {}, ...candidates.map((c) => row(c, c.name === sel))),
        )
      : h('p', { class: 'muted' }, 'No candidates ran on this task.'),
    candidates.length ? h('p', { id: 'leaderboard-help', class: 'muted' }, 'Up/Down or Tab to move between rows, Enter or Space to show their pairs.') : null,
    renderCandidatePairs(lb, candidates.find((c) => c.name === sel)),
  );
}
