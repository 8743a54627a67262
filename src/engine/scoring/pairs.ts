/** A task's pairs as the score phase addresses them: demo pairs, then test pairs; and the task as the workers get it. */
import type { Grid, Task } from '../types';
import type { PairKind, TaskMessage } from '../../protocol/worker';

export interface PairRef {
  kind: PairKind;
  index: number;
}

export function pairsOf(task: Task): PairRef[] {
  return [
    ...task.train.map((_, index) => ({ kind: 'demo' as const, index })),
    ...task.test.map((_, index) => ({ kind: 'test' as const, index })),
  ];
}

export function expectedOf(task: Task, p: PairRef) {
  return p.kind === 'demo' ? task.train[p.index].output : task.test[p.index].output;
}

export function taskMessage(task: Task): TaskMessage {
  return {
    t: 'task',
    key: task.hash,
    train: task.train.map((p) => [p.input, p.output]),
    test: task.test.map((p) => [p.input, p.output]),
  };
}

/** A pair of the task, with what its jobs need. */
export interface Pair extends PairRef {
  /** position in the task's results (demo pairs, then test pairs) */
  at: number;
  expected: Grid | null;
  cells: number;
}
