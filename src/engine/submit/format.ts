/**
 * The submission file's text: the competition's JSON, one task per line (ids sorted, attempts in test order, grids
 * compact), so two submissions diff line by line. Any JSON reader reads it as the same object.
 */
import type { Submission } from './types';

export function submissionText(sub: Submission): string {
  const ids = Object.keys(sub).sort();
  if (!ids.length) return '{}\n';
  const lines = ids.map((id) => `  ${JSON.stringify(id)}: [${sub[id].map((a) => `{"attempt_1": ${JSON.stringify(a.attempt_1)}, "attempt_2": ${JSON.stringify(a.attempt_2)}}`).join(', ')}]`);
  return `{\n${lines.join(',\n')}\n}\n`;
}
