/**
 * The store phase: solving candidates are written to a content-addressed store
 * `<workspace>/.batt/solvers/<hash>.py` (never overwriting anything), with an append-only index
 * `<workspace>/.batt/solvers/index.jsonl` of task, score and time. Stored files are themselves candidates
 * (`solve_<task>_<hash8>`), so "Run batt on task" can include them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { appendRecord, readRecords } from '../fsutil';
import type { Candidate, Task } from '../types';
import type { CandidateScore } from '../scoring/verdicts';

export interface StoreRecord {
  task: string;
  hash: string;
  name: string;
  origin: string;
  line: number;
  demo: string;
  test: string;
  ms: number;
  at: string;
  path: string;
}

export function storeDir(workspace: string): string {
  return path.join(workspace, '.batt', 'solvers');
}

/** The stored module text for a candidate: its own source renamed to solve_<task>_<hash8>, or a batt wrapper. */
export function storedSource(c: Candidate, task: Task, sourceText: string, score: Pick<CandidateScore, 'demo' | 'test'>, rel: string): string {
  // Task ids may hold "." or "-" (valid file names), which a Python name cannot.
  const fnName = `solve_${task.id.replace(/[^A-Za-z0-9_]/g, "_")}_${c.hash.slice(0, 8)}`;
  const header =
    `# Stored by batt: solves task ${task.id} (demo ${score.demo.passed}/${score.demo.total}, test ${score.test.passed}/${score.test.total})\n` +
    `# origin: ${rel}:${c.line} ${c.name}\n# canonical hash: ${c.hash}\n`;
  if (c.batt) {
    const mod = rel.replace(/\.py$/, '').split(path.sep).join('.');
    return (
      header +
      `from ${mod} import batt as _batt\n\n\n` +
      `def ${fnName}(S, I, C):\n` +
      `    o, _ = _batt(${JSON.stringify(task.id)}, S, I, C, None)\n` +
      `    return next(g for (t, _m, src, g) in o if t == ${c.batt.t} and src == ${JSON.stringify(c.batt.source)})\n`
    );
  }
  const lines = sourceText.split('\n').slice(c.line - 1, c.endLine);
  lines[0] = lines[0].replace(/def\s+\w+/, `def ${fnName}`);
  const imports = sourceText
    .split('\n')
    .filter((l) => /^(from\s+\S+\s+import\s+|import\s+)/.test(l))
    .join('\n');
  return `${header}${imports ? imports + '\n' : ''}\n\n${lines.join('\n')}\n`;
}

/** Writes one stored solver; returns its path, or undefined when the same content is already stored. */
export async function storeSolver(workspace: string, rec: Omit<StoreRecord, 'path' | 'at'>, text: string): Promise<string | undefined> {
  const dir = storeDir(workspace);
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${rec.hash}.py`);
  try {
    // 'wx': never overwrite; content-addressed, so an existing file already holds this solver.
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, text, { flag: 'wx' });
    try {
      await fs.promises.link(tmp, file);
    } finally {
      await fs.promises.unlink(tmp).catch(() => undefined);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  await appendRecord(path.join(dir, 'index.jsonl'), JSON.stringify({ ...rec, at: new Date().toISOString(), path: file }));
  return file;
}

export async function readStoreIndex(workspace: string): Promise<StoreRecord[]> {
  return readRecords<StoreRecord>(path.join(storeDir(workspace), 'index.jsonl'));
}

/** Stored solver files (candidates for "Run batt on task"). */
export async function storedFiles(workspace: string): Promise<string[]> {
  try {
    const names = await fs.promises.readdir(storeDir(workspace));
    return names.filter((n) => /^[0-9a-f]{16,}\.py$/.test(n)).map((n) => path.join(storeDir(workspace), n)).sort();
  } catch {
    return [];
  }
}
