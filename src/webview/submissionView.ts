/**
 * `#submission` ("Batt: Write submission"): the written file, the score line, the oracle gap and the unstable
 * candidates at a glance, then the whole report as `batt submit` prints it.
 */
import { submissionSummary, type SubmissionResult } from '../protocol/submission';
import { when } from './format';
import { button, h, type VNode } from './vdom';

export function renderSubmission(r: SubmissionResult): VNode {
  const rep = r.report;
  const gaps = rep.oracleGap.flatMap((g) => g.tests.map((t) => `${g.task} test ${t.index}: right by ${t.candidates.join(', ')}`));
  const list = (id: string, title: string, items: Array<string | VNode>) =>
    items.length ? h('section', { 'aria-labelledby': id }, h('h3', { id }, title), h('ul', {}, ...items.map((i) => h('li', {}, i)))) : null;
  // an unstable candidate opens its task's leaderboard ("Run batt on task" checks stability: the row says why)
  const unstable = rep.unstable.map((u) => button(`${u.task} ${u.name}`, { kind: 'post', msg: { type: 'runTask', taskId: u.task } }, { class: 'link', 'data-key': `unstable:${u.task}:${u.name}` }));
  return h(
    'section',
    { id: 'submission', 'aria-labelledby': 'submission-h' },
    h('h2', { id: 'submission-h' }, 'Submission'),
    h('p', { class: 'submission-file' }, `${rep.out ?? '(not written)'} — ${rep.tasks} task${rep.tasks === 1 ? '' : 's'}, ${rep.testInputs} test input${rep.testInputs === 1 ? '' : 's'} — ${when(r.at)}`),
    h('p', { class: 'submission-summary' }, submissionSummary(r)),
    list('submission-gap-h', 'Oracle gap: right by a candidate, in neither attempt', gaps),
    list('submission-unstable-h', 'Unstable candidates: another output under a second PYTHONHASHSEED', unstable),
    h('pre', { class: 'submission-text', tabindex: 0, 'aria-label': 'the submission report' }, r.text),
  );
}
