/**
 * The Testing view's tree as plain data (no vscode): task → candidate → pair, each candidate under its own task, from
 * the server's batt/testItems. `apply` returns only what changed (the controller turns it into TestItem edits), so an
 * edit that moves one solver updates one item and an unchanged file updates none.
 */
import type { TestCandidate, TestItemsParams, TestTask } from '../../protocol/testItems';

export interface CandidateNode {
  id: string;
  uri: string;
  name: string;
  taskId: string;
  line: number;
  endLine: number;
}

export interface TaskNode {
  id: string;
  task: TestTask;
}

export type TreeOp =
  | { op: 'addTask'; task: TaskNode }
  | { op: 'removeTask'; id: string }
  | { op: 'addCandidate'; taskId: string; candidate: CandidateNode; task: TestTask }
  | { op: 'moveCandidate'; taskId: string; candidate: CandidateNode }
  | { op: 'removeCandidate'; taskId: string; id: string };

/** Item ids: a task is unique per folder, a candidate per file and name within its task, a pair per kind and index. */
export const taskItemId = (folder: string, taskId: string) => `${folder}|${taskId}`;
export const candidateItemId = (uri: string, name: string) => `${uri}#${name}`;
export const pairItemId = (kind: 'demo' | 'test', index: number) => `${kind}:${index}`;

interface Folder {
  tasks: Map<string, TestTask>;
  files: Map<string, TestCandidate[]>;
}

type View = Map<string, { task: TestTask; candidates: Map<string, CandidateNode> }>;

export class TestTree {
  private readonly folders = new Map<string, Folder>();

  /** The changes a batt/testItems message makes. */
  apply(p: TestItemsParams): TreeOp[] {
    const old = this.folders.get(p.folder);
    const before: View = old ? view(p.folder, old) : new Map<string, never>();
    const next: Folder = p.full || !old ? { tasks: new Map(), files: new Map() } : { tasks: new Map(old.tasks), files: new Map(old.files) };
    if (p.tasks) next.tasks = new Map(p.tasks.map((t) => [t.id, t]));
    for (const f of p.files) {
      if (f.candidates.length) next.files.set(f.uri, f.candidates);
      else next.files.delete(f.uri);
    }
    if (next.tasks.size || next.files.size) this.folders.set(p.folder, next);
    else this.folders.delete(p.folder);
    return diff(before, view(p.folder, next));
  }

  /** Every task, candidate and pair id, as the tree shows them (for tests and the bench): "task/candidate/pair". */
  paths(): string[] {
    const out: string[] = [];
    for (const [folder, f] of this.folders) {
      for (const [tid, t] of view(folder, f)) {
        out.push(tid);
        for (const c of t.candidates.values()) {
          out.push(`${tid}/${c.id}`);
          for (const p of pairIds(t.task)) out.push(`${tid}/${c.id}/${p}`);
        }
      }
    }
    return out;
  }
}

/** A task's pair item ids, demo pairs first. */
export function pairIds(t: TestTask): string[] {
  return [...t.demoLines.map((_, i) => pairItemId('demo', i)), ...t.testLines.map((_, i) => pairItemId('test', i))];
}

/** The folder's tasks with candidates, each with its candidates in file then line order. */
function view(folder: string, f: Folder): View {
  const out: View = new Map();
  const files = [...f.files.keys()].sort();
  for (const uri of files) {
    for (const c of f.files.get(uri)!) {
      const task = f.tasks.get(c.taskId);
      if (!task) continue; // a solver for a task the tasks folder does not have
      const tid = taskItemId(folder, c.taskId);
      let t = out.get(tid);
      if (!t) out.set(tid, (t = { task, candidates: new Map() }));
      const id = candidateItemId(uri, c.name);
      t.candidates.set(id, { id, uri, name: c.name, taskId: c.taskId, line: c.line, endLine: c.endLine });
    }
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

function diff(before: View, after: View): TreeOp[] {
  const ops: TreeOp[] = [];
  for (const [tid, t] of before) {
    const a = after.get(tid);
    if (!a || JSON.stringify(a.task) !== JSON.stringify(t.task)) ops.push({ op: 'removeTask', id: tid });
  }
  for (const [tid, t] of after) {
    const b = before.get(tid);
    const fresh = !b || JSON.stringify(b.task) !== JSON.stringify(t.task);
    if (fresh) ops.push({ op: 'addTask', task: { id: tid, task: t.task } });
    for (const [id] of fresh ? [] : b.candidates) if (!t.candidates.has(id)) ops.push({ op: 'removeCandidate', taskId: tid, id });
    for (const [id, c] of t.candidates) {
      const old = fresh ? undefined : b.candidates.get(id);
      if (!old) ops.push({ op: 'addCandidate', taskId: tid, candidate: c, task: t.task });
      else if (old.line !== c.line || old.endLine !== c.endLine) ops.push({ op: 'moveCandidate', taskId: tid, candidate: c });
    }
  }
  return ops;
}
