/**
 * Reading ARC tasks: a folder of <id>.json files, one task file, a Kaggle bundle (`*_challenges.json` with an
 * optional `*_solutions.json` beside it; `-` for either `_` alike) or a folder of bundles. Every grid is validated; a bad task becomes one
 * or more InputErrors of kind 'task' and is skipped while the rest load. Places are JSON paths with 0-based indices.
 */
import { existsSync, promises as fsp } from 'fs';
import * as path from 'path';
import { MIB, parseJson, readTextLimited, sha256, type JsonError } from '../fsutil';
import { gridProblem, jsonTypeName } from './gridCheck';
import { printableExcerpt, quote } from './printable';
import type { Grid, InputError, Task } from '../types';

export interface TaskLoad {
  tasks: Task[];
  errors: InputError[];
  /** why a loaded task's test outputs are unknown (null), by task id: e.g. "no solutions file x_solutions.json beside
   *  x_challenges.json"; only Kaggle bundles have such tasks */
  unknownOutputs?: Map<string, string>;
}

export const TASK_FILE_LIMIT = 16 * MIB;
export const BUNDLE_FILE_LIMIT = 256 * MIB;
/** Kaggle's names, `arc-agi_training_challenges.json`, and the hyphenated `arc-agi-training-challenges.json` alike. */
const CHALLENGES = /[_-]challenges\.json$/;
const SOLUTIONS = /[_-]solutions\.json$/;
/** Files read at once when loading a folder: parallel enough to be fast, bounded to stay under fd limits. */
const READ_BATCH = 64;

export function isValidTaskId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(id) && !id.includes('..');
}

/** sha256 hex of the canonical JSON {"train":[{"input","output"}...],"test":[...]} (key order fixed, extra keys dropped). */
export function taskHash(train: Task['train'], test: Task['test']): string {
  const canonical = {
    train: train.map((p) => ({ input: p.input, output: p.output })),
    test: test.map((p) => ({ input: p.input, output: p.output })),
  };
  return sha256(JSON.stringify(canonical));
}

function badIdMessage(id: string): string {
  return `invalid task id ${quote(id)} (a letter or digit, then letters, digits, "_", "-" or "."; at most 64 characters; no "..")`;
}

/**
 * Check a parsed task object. `prefix` starts every place (the task id inside a bundle). With `outputsOptional`,
 * a missing test output becomes null (Kaggle challenges without solutions).
 */
function checkTask(
  value: unknown,
  file: string,
  id: string,
  prefix: string,
  outputsOptional: boolean,
): { task?: Task; errors: InputError[] } {
  const errors: InputError[] = [];
  const fail = (place: string | undefined, message: string): void => {
    errors.push({ kind: 'task', file, place: place === undefined ? prefix || undefined : prefix + place, message });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(undefined, `expected an object with "train" and "test", got ${jsonTypeName(value)}`);
    return { errors };
  }
  const obj = value as Record<string, unknown>;
  const grid = (v: unknown, place: string): Grid | undefined => {
    const problem = gridProblem(v);
    if (problem) fail(place, problem);
    return problem ? undefined : (v as Grid);
  };
  const pairs = (key: 'train' | 'test'): Array<{ input?: Grid; output?: Grid | null }> | undefined => {
    const list = obj[key];
    if (list === undefined) return void fail(undefined, `missing "${key}"`);
    if (!Array.isArray(list)) return void fail(key, `expected a list of pairs, got ${jsonTypeName(list)}`);
    if (list.length === 0) return void fail(key, `${key} is empty`);
    return list.map((pair: unknown, i) => {
      const at = `${key}[${i}]`;
      if (pair === null || typeof pair !== 'object' || Array.isArray(pair)) {
        fail(at, `expected an object with "input" and "output", got ${jsonTypeName(pair)}`);
        return {};
      }
      const p = pair as Record<string, unknown>;
      const out: { input?: Grid; output?: Grid | null } = {};
      if (p.input === undefined) fail(`${at}.input`, `${at}.input is missing`);
      else out.input = grid(p.input, `${at}.input`);
      if (p.output === undefined || (p.output === null && key === 'test' && outputsOptional)) {
        if (key === 'test' && outputsOptional) out.output = null;
        else fail(`${at}.output`, `${at}.output is missing`);
      } else out.output = grid(p.output, `${at}.output`);
      return out;
    });
  };
  const train = pairs('train');
  const test = pairs('test');
  if (errors.length > 0 || !train || !test) return { errors };
  const t = {
    train: train.map((p) => ({ input: p.input as Grid, output: p.output as Grid })),
    test: test.map((p) => ({ input: p.input as Grid, output: p.output ?? null })),
  };
  return { task: { id, source: file, ...t, hash: taskHash(t.train, t.test) }, errors };
}

/** Longest JSON parse message kept: V8 quotes the text around the error, which may be anything. */
const JSON_MESSAGE_LIMIT = 200;

/** A file's JSON syntax error, its quoted excerpt made printable (a file of random bytes is not echoed raw). */
function jsonError(file: string, e: JsonError): InputError {
  return { kind: 'task', file, line: e.line, col: e.col, message: printableExcerpt(e.message, JSON_MESSAGE_LIMIT) };
}

/** Parse and validate one task file's text; `id` normally comes from the file name. */
export function parseTask(text: string, file: string, id: string): { task?: Task; errors: InputError[] } {
  if (!isValidTaskId(id)) return { errors: [{ kind: 'task', file, message: badIdMessage(id) }] };
  const parsed = parseJson(text);
  if ('error' in parsed) return { errors: [jsonError(file, parsed.error)] };
  return checkTask(parsed.value, file, id, '', false);
}

/** Parsed task files by path, reused while their mtime and size are unchanged (a persistent engine's reruns). */
export type TaskFileCache = Map<string, { mtimeMs: number; size: number; result: { task?: Task; errors: InputError[] } }>;

async function loadTaskFileCached(file: string, cache?: TaskFileCache): Promise<{ task?: Task; errors: InputError[] }> {
  if (!cache) return loadTaskFile(file);
  let st;
  try {
    st = await fsp.stat(file);
  } catch {
    return loadTaskFile(file);
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.result;
  const result = await loadTaskFile(file);
  cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, result });
  return result;
}

async function loadTaskFile(file: string): Promise<{ task?: Task; errors: InputError[] }> {
  const id = path.basename(file, '.json');
  if (!isValidTaskId(id)) return { errors: [{ kind: 'task', file, message: badIdMessage(id) }] };
  const read = await readTextLimited(file, TASK_FILE_LIMIT, 'a task file');
  if ('error' in read) return { errors: [{ kind: 'task', file, message: read.error }] };
  return parseTask(read.text, file, id);
}

/** Read and parse a JSON file of a bundle; problems are reported against that file. */
async function readBundleJson(file: string, errors: InputError[]): Promise<Record<string, unknown> | undefined> {
  const read = await readTextLimited(file, BUNDLE_FILE_LIMIT, 'a bundle file');
  if ('error' in read) return void errors.push({ kind: 'task', file, message: read.error });
  const parsed = parseJson(read.text);
  if ('error' in parsed) return void errors.push(jsonError(file, parsed.error));
  const v = parsed.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return void errors.push({ kind: 'task', file, message: `expected an object of task id -> task, got ${jsonTypeName(v)}` });
  }
  return v as Record<string, unknown>;
}

/** The solutions file of a challenges file: the same separator first (`x_solutions.json`), then the other one. */
function solutionsBeside(challenges: string): string {
  const stem = challenges.slice(0, -'_challenges.json'.length);
  const sep = challenges[stem.length];
  const [same, other] = [sep, sep === '_' ? '-' : '_'].map((x) => `${stem}${x}solutions.json`);
  return existsSync(same) || !existsSync(other) ? same : other;
}

/** The challenges file a solutions file belongs to (either separator), if there is one. */
function challengesBeside(solutions: string): string | undefined {
  const stem = solutions.slice(0, -'_solutions.json'.length);
  return [`${stem}${solutions[stem.length]}challenges.json`, `${stem}_challenges.json`, `${stem}-challenges.json`].find((f) => existsSync(f));
}

/**
 * A Kaggle bundle. Test outputs come from the solutions file beside it (id -> list of output grids); when that file
 * is missing they are null, with one 'config' warning (the run is what was asked for: a test set ships without
 * solutions). A task whose solutions are absent, invalid or of the wrong count
 * still loads (its demos are fine) with null test outputs, plus an error naming the solutions file and the id.
 */
async function loadBundle(challenges: string): Promise<TaskLoad> {
  const errors: InputError[] = [];
  const tasks: Task[] = [];
  const data = await readBundleJson(challenges, errors);
  if (!data) return { tasks, errors };
  const unknownOutputs = new Map<string, string>();
  const solutionsFile = solutionsBeside(challenges);
  let solutions: Record<string, unknown> | undefined;
  if (existsSync(solutionsFile)) {
    solutions = await readBundleJson(solutionsFile, errors);
  }
  for (const id of Object.keys(data)) {
    if (!isValidTaskId(id)) {
      errors.push({ kind: 'task', file: challenges, place: printableExcerpt(id), message: badIdMessage(id) });
      continue;
    }
    const checked = checkTask(data[id], challenges, id, `${id}.`, true);
    errors.push(...checked.errors);
    const task = checked.task;
    if (!task) continue;
    if (solutions) {
      const outputs = solutionOutputs(solutions[id], task.test.length, solutionsFile, id, errors);
      task.test = task.test.map((p, i) => ({ input: p.input, output: outputs ? outputs[i] : null }));
      task.hash = taskHash(task.train, task.test);
    }
    if (task.test.some((p) => p.output === null)) {
      const sol = path.basename(solutionsFile);
      unknownOutputs.set(id, solutions ? `no usable solutions in ${sol}` : existsSync(solutionsFile) ? `${sol} could not be read` : `no solutions file ${sol} beside ${path.basename(challenges)}`);
    }
    tasks.push(task);
  }
  if (!existsSync(solutionsFile) && unknownOutputs.size > 0) {
    errors.push({
      kind: 'config',
      file: challenges,
      message: `no solutions file ${path.basename(solutionsFile)} beside it: test verdicts will be unknown`,
      severity: 'warning',
    });
  }
  return { tasks, errors, unknownOutputs };
}

function solutionOutputs(
  value: unknown,
  count: number,
  file: string,
  id: string,
  errors: InputError[],
): Grid[] | undefined {
  const fail = (place: string, message: string): undefined => void errors.push({ kind: 'task', file, place, message });
  if (value === undefined) return fail(id, `no solutions for task "${id}": test verdicts will be unknown`);
  if (!Array.isArray(value)) return fail(id, `expected a list of test output grids, got ${jsonTypeName(value)}`);
  if (value.length !== count) {
    return fail(id, `task "${id}" has ${count} test input(s) but ${value.length} solution(s): test verdicts will be unknown`);
  }
  for (let i = 0; i < value.length; i++) {
    const problem = gridProblem(value[i]);
    if (problem) return fail(`${id}[${i}]`, problem);
  }
  return value as Grid[];
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** The tasks folder holds no task file: say what was looked for (and the subfolders, e.g. ARC-AGI's data/). */
async function emptyFolderWarning(root: string): Promise<InputError> {
  const entries = await fsp.readdir(root, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  const shown = folders.length > 4 ? [...folders.slice(0, 4), '…'] : folders;
  return {
    kind: 'config',
    file: root,
    message:
      'no task files in this folder: looked for <id>.json task files and Kaggle bundles (*_challenges.json or *-challenges.json)' +
      (folders.length ? `; it has subfolders ${shown.map((f) => printableExcerpt(f)).join(', ')}: point the tasks path at one of them` : ''),
    severity: 'warning',
  };
}

/** See the module comment. Tasks are sorted by id; a duplicate id keeps the first file (by name) and reports the rest. */
export async function loadTasks(where: string, cache?: TaskFileCache): Promise<TaskLoad> {
  const root = path.resolve(where);
  let stat;
  try {
    stat = await fsp.stat(root);
  } catch {
    return { tasks: [], errors: [{ kind: 'config', file: root, message: 'no such file or folder' }] };
  }
  const loads: TaskLoad[] = [];
  if (stat.isDirectory()) {
    const names = (await fsp.readdir(root)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
    const bundles = names.filter((n) => CHALLENGES.test(n));
    if (bundles.length > 0) {
      for (const b of bundles) loads.push(await loadBundle(path.join(root, b)));
    } else {
      const files = names.filter((n) => !SOLUTIONS.test(n)).map((n) => path.join(root, n));
      if (files.length === 0) loads.push({ tasks: [], errors: [await emptyFolderWarning(root)] });
      const results = await inBatches(files, READ_BATCH, (f) => loadTaskFileCached(f, cache));
      loads.push(...results.map((r) => ({ tasks: r.task ? [r.task] : [], errors: r.errors })));
    }
  } else if (CHALLENGES.test(path.basename(root))) {
    loads.push(await loadBundle(root));
  } else if (SOLUTIONS.test(path.basename(root)) && challengesBeside(root)) {
    loads.push(await loadBundle(challengesBeside(root)!));
  } else {
    const r = await loadTaskFileCached(root, cache);
    loads.push({ tasks: r.task ? [r.task] : [], errors: r.errors });
  }
  const byId = new Map<string, Task>();
  const errors: InputError[] = [];
  const unknownOutputs = new Map<string, string>();
  for (const load of loads) {
    errors.push(...load.errors);
    for (const task of load.tasks) {
      const first = byId.get(task.id);
      if (first) {
        errors.push({
          kind: 'task',
          file: task.source,
          place: task.id,
          message: `duplicate task id "${task.id}" (already loaded from ${first.source})`,
        });
      } else {
        byId.set(task.id, task);
        const why = load.unknownOutputs?.get(task.id);
        if (why) unknownOutputs.set(task.id, why);
      }
    }
  }
  const tasks = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { tasks, errors, unknownOutputs };
}

/**
 * Where a workspace's tasks are: explicit (relative to the cwd) > configTasks (relative to the workspace) >
 * <ws>/tasks > <ws>/data/training. An explicit or configured path is authoritative: if it does not exist the
 * result is undefined rather than a silent fallback to another folder. Undefined when none exists.
 */
export function resolveTasksPath(workspace: string, explicit?: string, configTasks?: string): string | undefined {
  if (explicit) {
    const p = path.resolve(explicit);
    return existsSync(p) ? p : undefined;
  }
  if (configTasks) {
    const p = path.resolve(workspace, configTasks);
    return existsSync(p) ? p : undefined;
  }
  for (const p of [path.join(workspace, 'tasks'), path.join(workspace, 'data', 'training')]) {
    if (existsSync(p)) return path.resolve(p);
  }
  return undefined;
}
