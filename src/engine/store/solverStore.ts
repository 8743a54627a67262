/**
 * The store phase: solving candidates are written to a content-addressed store
 * `<workspace>/.batt/solvers/<hash>.py` (never overwriting anything), with an append-only index
 * `<workspace>/.batt/solvers/index.jsonl` of task, score and time. Stored files are themselves candidates
 * (`solve_<task>_<hash8>`), so "Run batt on task" can include them. A batt entry is stored as its own sliced program
 * (storedSource), never as a wrapper calling the batt module.
 */
import * as fs from 'fs';
import * as path from 'path';
import { appendRecord, mkdirp, readRecords } from '../fsutil';
import type { Candidate, Task } from '../types';
import { battFolder, ensureBattFolder } from './battFolder';
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
  return path.join(battFolder(workspace), 'solvers');
}

/** What storedSource needs of the candidate's file: its text and where its solvers and batt def are. */
export interface StoreSourceFile {
  text: string;
  parse: { functions: Array<{ line: number; endLine: number }>; batt: { line: number; endLine: number } | null };
}

/**
 * The stored module text for a candidate: its own source renamed to solve_<task>_<hash8>, after the file's import
 * lines; undefined for a batt entry the analyzer could not slice (it has no program of its own).
 *
 * A batt entry is stored as its sliced program (batt_slice.py), after the batt module's whole context — the module
 * with its batt def and solve_* functions taken out: its imports of the DSL and constants and whatever helpers the
 * steps call (a module-level `_get_safe_default`, say), as the module had them. So the stored file is
 * self-contained: it imports nothing of the batt module, which the generator overwrites every iteration.
 */
export function storedSource(c: Candidate, task: Task, file: StoreSourceFile, score: Pick<CandidateScore, 'demo' | 'test'>, rel: string): string | undefined {
  // Task ids may hold "." or "-" (valid file names), which a Python name cannot.
  const fnName = `solve_${task.id.replace(/[^A-Za-z0-9_]/g, "_")}_${c.hash.slice(0, 8)}`;
  const header =
    `# Stored by batt: solves task ${task.id} (demo ${score.demo.passed}/${score.demo.total}, test ${score.test.passed}/${score.test.total})\n` +
    `# origin: ${rel}:${c.line} ${c.name}${c.batt?.mutated ? ' (mutated)' : ''}\n# canonical hash: ${c.hash}\n`;
  const lines = file.text.split('\n');
  if (c.batt) {
    if (c.batt.program === undefined) return undefined;
    const program = c.batt.program.replace(/^def\s+\w+/, `def ${fnName}`);
    const context = withoutDefs(lines, [...(file.parse.batt ? [file.parse.batt] : []), ...file.parse.functions]);
    return `${header}# the entry's chain of steps, sliced from the batt module; the module's context above it\n${context}\n\n\n${program}`;
  }
  const own = lines.slice(c.line - 1, c.endLine);
  own[0] = own[0].replace(/def\s+\w+/, `def ${fnName}`);
  const imports = lines.filter((l) => /^(from\s+\S+\s+import\s+|import\s+)/.test(l)).join('\n');
  return `${header}${imports ? imports + '\n' : ''}\n\n${own.join('\n')}\n`;
}

/** The lines outside the given defs (each with the decorator lines just above it), trailing blank lines dropped. */
function withoutDefs(lines: string[], defs: Array<{ line: number; endLine: number }>): string {
  const drop = new Set<number>();
  for (const d of defs) {
    let first = d.line;
    while (first > 1 && lines[first - 2].startsWith('@')) first--;
    for (let l = first; l <= d.endLine; l++) drop.add(l);
  }
  const kept = lines.filter((_, i) => !drop.has(i + 1));
  while (kept.length && kept[kept.length - 1].trim() === '') kept.pop();
  return kept.join('\n');
}

/** Writes one stored solver; returns its path, or undefined when the same content is already stored. */
export async function storeSolver(workspace: string, rec: Omit<StoreRecord, 'path' | 'at'>, text: string): Promise<string | undefined> {
  const dir = storeDir(workspace);
  await ensureBattFolder(workspace);
  await mkdirp(dir);
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
