/**
 * The workspace part of the scoring workers' sandbox (applied by src/worker/scoring/sandbox.py with Landlock).
 *
 * Landlock only grants, so when the tasks folder (or task file, Kaggle bundle) is inside the workspace, the workspace
 * is granted entry by entry on the way down to it, skipping the task files: at each level every entry except the
 * next folder down is readable, and the folders on the way are listable only. That set is fixed when a pool starts:
 * `stale()` says when a folder or non-Python file appeared, disappeared or was replaced on the way (the engine then
 * restarts the workers), and `uncovered()` names the Python files on the way the workers cannot read (added or
 * replaced since): the pool sends their text with the files message instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FilesMessage, SandboxState } from '../../protocol/worker';
import type { InputError } from '../types';
import { BATT_FOLDER, BATT_GITIGNORE } from '../store/battFolder';

export interface SandboxPolicy {
  enabled: boolean;
  /** the worker's temp folder, the one folder it may write */
  scratch: string;
  /** readable paths of the workspace */
  read: string[];
  /** folders on the way down to the task files: listable, their files not readable */
  list: string[];
  /** the task files (a folder, a file, a Kaggle bundle's two files) */
  hidden: string[];
  /** precompiled .pyc files, readable */
  pycache?: string;
}

/** Editors' swap, lock and backup files: they come and go while a file is edited, and never restart the workers. */
const EDITOR_TEMP = /^\.#|^#.*#$|\.sw[a-p]$|~$/;

function inside(p: string, folder: string): boolean {
  return p.startsWith(folder + path.sep);
}

function real(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** The task files of a tasks path: the folder or file, and a Kaggle challenges file's solutions beside it. */
export function taskFiles(tasksPath: string | undefined): string[] {
  if (!tasksPath) return [];
  const p = real(tasksPath);
  const m = /^(.*)[_-]challenges\.json$/.exec(p);
  return m ? [p, `${m[1]}_solutions.json`, `${m[1]}-solutions.json`] : [p];
}

/**
 * `<root>/.batt` made now if missing (as store/battFolder.ts makes it, with its .gitignore), so that the run log and
 * solver store batt writes there after the workers started are readable without a restart.
 */
function ensureBattFolder(root: string): void {
  const dir = path.join(root, BATT_FOLDER);
  try {
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, '.gitignore'), BATT_GITIGNORE, { flag: 'wx' });
  } catch {
    // already there (or a read-only workspace: nothing is written there then)
  }
}

/** Identity of a granted entry: Landlock rules hold the inode, so a replaced entry is another one. */
function identity(p: string): string {
  try {
    const st = fs.statSync(p);
    return `${p}\0${st.dev}:${st.ino}`;
  } catch {
    return `${p}\0-`;
  }
}

export class WorkspaceGrants {
  readonly read: string[] = [];
  readonly list: string[] = [];
  readonly hidden: string[];
  private readonly granted = new Map<string, string>();
  private readonly signature: string;

  /** `pycacheDir` is created first (the workers read it from their start; in the workspace it is one of its entries). */
  constructor(roots: string[], tasksPath: string | undefined, pycacheDir?: string) {
    try {
      if (pycacheDir) fs.mkdirSync(pycacheDir, { recursive: true });
    } catch {
      // a read-only or broken cache folder: the workers compile what they import (the engine reports the cache)
    }
    // A tasks folder that is the workspace (or holds it) cannot be hidden from it: its task files stay readable.
    this.hidden = taskFiles(tasksPath).filter((h) => !roots.some((r) => r === h || inside(r, h)));
    const inner = this.hidden.filter((h) => roots.some((r) => inside(h, r)));
    const way = new Set<string>();
    for (const h of inner) for (let d = path.dirname(h); roots.some((r) => d === r || inside(d, r)); d = path.dirname(d)) way.add(d);
    for (const r of roots) if (!way.has(r)) this.read.push(r);
    for (const r of roots) if (way.has(r)) ensureBattFolder(r);
    for (const d of way) {
      this.list.push(d);
      let names: string[] = [];
      try {
        names = fs.readdirSync(d);
      } catch {
        // an unreadable folder: nothing in it is granted
      }
      for (const name of names) {
        const p = path.join(d, name);
        if (way.has(p) || this.hidden.includes(p)) continue;
        this.read.push(p);
        this.granted.set(p, identity(p));
      }
    }
    this.signature = this.entries();
  }

  /** The folders and non-Python files on the way down as they are now (a new .py file is served, not granted; editor
   *  temp files do not count). */
  private entries(): string {
    const out: string[] = [];
    for (const d of this.list) {
      out.push(identity(d));
      let names: string[] = [];
      try {
        names = fs.readdirSync(d);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        const p = path.join(d, name);
        if (this.list.includes(p) || this.hidden.includes(p) || name.endsWith('.py') || EDITOR_TEMP.test(name)) continue;
        out.push(identity(p));
      }
    }
    return out.join('\n');
  }

  /** Whether workers started with these grants lack access to a folder or file that is now on the way down. */
  stale(): boolean {
    return this.list.length > 0 && this.entries() !== this.signature;
  }

  /** Which of these workspace files the workers cannot read (they get the text in the files message). */
  uncovered(files: string[]): string[] {
    if (!this.list.length) return [];
    return files.filter((f) => {
      if (this.hidden.some((h) => f === h || inside(f, h))) return false;
      if (!this.list.includes(path.dirname(f))) return false; // deeper: under a granted folder
      return this.granted.get(f) !== identity(f);
    });
  }

  /** The policy of a worker, but its own scratch folder and the .pyc folder (workerProcess.ts adds them). */
  workerPolicy(): Omit<SandboxPolicy, 'scratch' | 'pycache'> {
    return { enabled: true, read: this.read, list: this.list, hidden: this.hidden };
  }
}

/** A pool's sandbox: its workers' grants (undefined: turned off) and the state they reported. */
export class PoolSandbox {
  private readonly grants: WorkspaceGrants | undefined;
  /** as the last ready worker reported it (undefined until one is ready) */
  state: SandboxState | undefined;

  constructor(private readonly roots: string[], opts: { enabled: boolean; tasksPath?: string }, pycacheDir?: string) {
    if (opts.enabled) this.grants = new WorkspaceGrants(roots, opts.tasksPath, pycacheDir);
  }

  workerPolicy(): Omit<SandboxPolicy, 'scratch' | 'pycache'> {
    return this.grants?.workerPolicy() ?? { enabled: false, read: this.roots, list: [], hidden: [] };
  }

  /** Whether the workers lack access to a folder or file that appeared on the way down since they started (the
   *  engine then restarts them). */
  stale(): boolean {
    return this.grants?.stale() ?? false;
  }

  /** The files message with the text of each file the workers cannot read (see WorkspaceGrants.uncovered). */
  withSources(files: FilesMessage['files']): FilesMessage['files'] {
    const missing = this.grants?.uncovered(Object.keys(files)) ?? [];
    if (!missing.length) return files;
    const out = { ...files };
    for (const f of missing) {
      try {
        out[f] = { ...out[f], source: fs.readFileSync(f, 'utf8') };
      } catch {
        // gone since discovery: the import reports it
      }
    }
    return out;
  }

  /** A worker's ready message said this: logged once per pool, and again only if a worker says otherwise. */
  reported(state: SandboxState | undefined, log: (line: string) => void): void {
    const now = state ?? { applied: false, reason: 'the worker did not report a sandbox' };
    if (sandboxLine(now) !== sandboxLine(this.state)) log(sandboxLine(now));
    this.state = now;
  }
}

/** The run's warning when the workers that ran its solvers are not sandboxed (undefined when they are). */
export function sandboxWarning(root: string, state: SandboxState | undefined): InputError | undefined {
  if (!state || state.applied) return undefined;
  return {
    kind: 'config',
    file: root,
    severity: 'warning',
    message: `solvers are not sandboxed: ${state.reason ?? 'unknown reason'}; they can change or delete workspace files, read the task files (test outputs included) and open network connections`,
  };
}

/** The log line of a sandbox state ('' for none). */
export function sandboxLine(s: SandboxState | undefined): string {
  if (!s) return '';
  return s.applied ? `solvers are sandboxed (Landlock ABI ${s.abi}${s.reason ? `; ${s.reason}` : ''})` : `solvers are not sandboxed: ${s.reason ?? 'unknown reason'}`;
}
