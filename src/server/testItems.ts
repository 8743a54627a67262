/**
 * The Testing view's discovery (batt/testItems): each folder's candidates from the analyzer's parse (nothing is
 * imported) and the tasks they target, whole at start, then per edited file only when its candidates changed. Also
 * keeps the tasks' grids and pair lines the run results need (testItemsResults.ts). Knows nothing of the connection.
 */
import * as fs from 'fs';
import { pathToFileURL } from 'url';
import type { Engine } from '../engine/engine';
import type { Task } from '../engine/types';
import { decodeSource, findPythonFiles } from '../engine/workspace/files';
import type { FileParse } from '../engine/workspace/discover';
import type { TestCandidate, TestFile, TestItemsParams, TestTask } from '../protocol/testItems';
import type { ResultTask } from './testItemsResults';

/** A parse's candidates in file order: its solve_* functions with a supported signature and its distinct batt entries. */
export function candidatesOf(parse: Pick<FileParse, 'functions' | 'batt'>): TestCandidate[] {
  const out: TestCandidate[] = parse.functions.filter((f) => f.kind !== null).map((f) => ({ name: f.name, taskId: f.taskId, line: f.line, endLine: f.endLine }));
  const seen = new Set<string>();
  for (const e of parse.batt?.candidates ?? []) {
    const name = `batt:${e.t}:${e.source}`;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, taskId: e.source, line: e.line, endLine: e.line });
  }
  return out.sort((a, b) => a.line - b.line);
}

/**
 * Where each pair of a task file starts (1-based lines of the elements of its top-level "train" and "test" arrays), by
 * a scan of the JSON text; [] for an array it does not find.
 */
export function pairLines(json: string): { train: number[]; test: number[] } {
  const out = { train: [] as number[], test: [] as number[] };
  let depth = 0;
  let line = 1;
  let key: string | undefined; // the last string at depth 1 (a top-level key)
  let inArray: 'train' | 'test' | undefined;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (ch === '\n') line++;
    else if (ch === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1) key = json.slice(i + 1, j);
      i = j;
    } else if (ch === '{' || ch === '[') {
      if (depth === 1 && ch === '[' && (key === 'train' || key === 'test')) inArray = key;
      else if (depth === 2 && inArray && ch === '{') out[inArray].push(line);
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 1) inArray = undefined;
    }
  }
  return out;
}

export interface TestItemsDeps {
  engine(root: string): Engine;
  send(p: TestItemsParams): void;
  log(line: string): void;
}

interface FolderItems {
  tasks: Map<string, Task>;
  /** TestTask by id, for the tasks sent (those with candidates) */
  items: Map<string, TestTask>;
  /** the candidates last sent, by file path */
  files: Map<string, TestCandidate[]>;
  /** the last edit of each file: an older parse that answers later is dropped */
  edits: Map<string, number>;
  /** task files holding more than one task (Kaggle bundles), once asked */
  shared?: Set<string>;
}

const same = (a: TestCandidate[] | undefined, b: TestCandidate[]) => JSON.stringify(a ?? []) === JSON.stringify(b);

export class TestItems {
  private readonly folders = new Map<string, FolderItems>();
  private seq = 0;

  constructor(private readonly deps: TestItemsDeps) {}

  /** A folder's whole tree: its tasks and every Python file's candidates (open documents as the editor has them). */
  async discover(root: string, texts: (file: string) => string | undefined): Promise<void> {
    const engine = this.deps.engine(root);
    const s = engine.settings();
    const [{ tasks }, paths] = await Promise.all([engine.listTasks(), findPythonFiles(root, s.include, s.exclude)]);
    const parsed = await Promise.all(
      paths.map(async (p) => {
        try {
          const text = texts(p) ?? decodeSource(await fs.promises.readFile(p), p).text;
          const parse = await engine.parse(p, text);
          return [p, parse.syntaxError ? undefined : candidatesOf(parse)] as const;
        } catch (e) {
          this.deps.log(`test items: cannot parse ${p}: ${(e as Error).message}`);
          return [p, undefined] as const;
        }
      }),
    );
    const f: FolderItems = { tasks: new Map(tasks.map((t) => [t.id, t])), items: new Map(), files: new Map(), edits: this.folders.get(root)?.edits ?? new Map<string, number>() };
    for (const [p, candidates] of parsed) if (candidates?.length) f.files.set(p, candidates);
    this.folders.set(root, f);
    this.deps.send({ folder: pathToFileURL(root).toString(), full: true, tasks: this.taskItems(f), files: [...f.files].map(([p, candidates]) => ({ uri: pathToFileURL(p).toString(), candidates })) });
  }

  /** An edited (or opened) file of a discovered folder: its candidates, sent when they changed; a syntax error keeps the last. */
  async edit(root: string, file: string, text: string): Promise<void> {
    const f = this.folders.get(root);
    if (!f) return;
    const seq = ++this.seq;
    f.edits.set(file, seq);
    const parse = await this.deps.engine(root).parse(file, text);
    if (f.edits.get(file) !== seq || this.folders.get(root) !== f || parse.syntaxError) return;
    const candidates = candidatesOf(parse);
    if (same(f.files.get(file), candidates)) return;
    if (candidates.length) f.files.set(file, candidates);
    else f.files.delete(file);
    const before = JSON.stringify([...f.items.keys()]);
    const tasks = this.taskItems(f);
    const changed = JSON.stringify(tasks.map((t) => t.id)) !== before;
    const sent: TestFile = { uri: pathToFileURL(file).toString(), candidates };
    this.deps.send({ folder: pathToFileURL(root).toString(), full: false, ...(changed ? { tasks } : {}), files: [sent] });
  }

  /** A removed folder: its tree goes. */
  forget(root: string): void {
    if (!this.folders.delete(root)) return;
    this.deps.send({ folder: pathToFileURL(root).toString(), full: true, tasks: [], files: [] });
  }

  /** A task's grids and pair lines, for the run results. */
  task(root: string, id: string): ResultTask | undefined {
    const f = this.folders.get(root);
    const t = f?.tasks.get(id);
    return t && { item: f!.items.get(id) ?? this.taskItem(t, f!), train: t.train, test: t.test };
  }

  /** The tasks some candidate targets, in id order (f.items updated: a task's pair lines are scanned once). */
  private taskItems(f: FolderItems): TestTask[] {
    const ids = new Set<string>();
    for (const cs of f.files.values()) for (const c of cs) if (f.tasks.has(c.taskId)) ids.add(c.taskId);
    const items = new Map<string, TestTask>();
    for (const id of [...ids].sort()) items.set(id, f.items.get(id) ?? this.taskItem(f.tasks.get(id)!, f));
    f.items = items;
    return [...items.values()];
  }

  private taskItem(t: Task, f: FolderItems): TestTask {
    // a file of one task: its pairs' lines (a Kaggle bundle holds many tasks: no lines); one line: all on line 1
    if (!f.shared) {
      const n = new Map<string, number>();
      for (const o of f.tasks.values()) n.set(o.source, (n.get(o.source) ?? 0) + 1);
      f.shared = new Set([...n].filter(([, k]) => k > 1).map(([src]) => src));
    }
    let lines = { train: [] as number[], test: [] as number[] };
    if (!f.shared.has(t.source)) {
      try {
        const text = fs.readFileSync(t.source, 'utf8');
        lines = text.trimEnd().includes('\n') ? pairLines(text) : { train: t.train.map(() => 1), test: t.test.map(() => 1) };
      } catch (e) {
        this.deps.log(`test items: cannot read ${t.source}: ${(e as Error).message}`);
      }
    }
    const fill = (n: number, l: number[]) => Array.from({ length: n }, (_, i) => l[i] ?? 0);
    return { id: t.id, uri: pathToFileURL(t.source).toString(), demoLines: fill(t.train.length, lines.train), testLines: fill(t.test.length, lines.test) };
  }
}
