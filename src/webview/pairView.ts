/** `#grid-diff`: the pairs of the leaderboard's selected candidate. */
import type { RunResultParams } from '../protocol/lsp';
import type { CandidateJson } from '../protocol/results';
import { renderPair } from './grid';
import { h, type VNode } from './vdom';

export function renderCandidatePairs(lb: RunResultParams, c: CandidateJson | undefined): VNode {
  const head = h('h3', { id: 'grid-diff-h' }, c ? `Pairs of ${c.name}` : 'Pairs');
  if (!c) return h('div', { id: 'grid-diff', 'aria-labelledby': 'grid-diff-h', 'aria-live': 'polite' }, head, h('p', { class: 'muted' }, 'Select a candidate.'));
  const note = c.duplicateOf ? h('p', { class: 'muted' }, `Same program as ${c.duplicateOf}; it did not run again.`) : null;
  const pairs = c.pairs.length ? c.pairs.map((p) => renderPair(p, lb.task)) : [h('p', { class: 'muted' }, 'No pair results.')];
  return h('div', { id: 'grid-diff', 'aria-labelledby': 'grid-diff-h', 'aria-live': 'polite' }, head, note, ...pairs);
}
