/**
 * The interpreter's part of the validation key. A verdict depends on the Python that produced it: its executable, its
 * version, and what its sys.path can import. The fingerprint hashes the real executable, sys.version, sys.prefix and
 * every sys.path entry with the stat of its folder (installing a package into a site-packages folder changes that
 * folder's mtime; so does a .pth file that adds a folder to the path).
 *
 * Learning sys.path takes a Python spawn (a probe, run like a worker: same command, cwd and environment). It is done
 * once per interpreter and remembered, in the process and in `<cache>/interpreters.json`, under a key of the configured
 * command, the file it resolves to, the cwd and the environment that steers Python's path (PATH, PYTHON*, PYENV*). A run
 * re-checks the remembered record with a few stats — the binary, the executable, each sys.path folder, the user
 * site-packages folder (created by the first `pip install --user`), pyvenv.cfg, and for a launcher (a pyenv shim or a
 * wrapper script: the command is not the executable) the `.python-version` files it reads — and probes again only when
 * one changed. A hot run spawns nothing.
 *
 * A command that cannot be probed (no such interpreter, not Python) gets a key of its own that no working interpreter
 * shares, so nothing cached under another interpreter is reused; problem() says what is wrong with it (does not exist,
 * is not a Python interpreter and what it printed, is Python older than 3.8), for the engine to report as a usage error.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mkdirp, sha256, writeFileAtomic } from '../fsutil';

/** What the probe prints: the interpreter as a worker sees it (the worker drops '' from sys.path, as the probe does). */
interface Probe {
  exe: string;
  version: string;
  prefix: string;
  path: string[];
  userSite: string | null;
}

interface ProbeRecord {
  fingerprint: string;
  /** stat signature of every watched path when probed; the record holds while all are unchanged */
  watch: Record<string, string>;
  /** when probed (ms since epoch): the oldest records go first when the file is full */
  at: number;
}

const PROBE = [
  'import json, os, site, sys',
  'p = list(sys.path)',
  "if '' in p: p.remove('')",
  'u = site.getusersitepackages() if site.ENABLE_USER_SITE else None',
  "sys.stdout.write('\\n' + json.dumps({'exe': os.path.realpath(sys.executable), 'version': sys.version, 'prefix': sys.prefix, 'path': p, 'userSite': u}) + '\\n')",
].join('\n');

const PROBE_TIMEOUT_MS = 30_000;
const MAX_RECORDS = 32;

/** Identity and last change of a file or folder, '-' when missing. */
function signature(p: string): string {
  try {
    const st = fs.statSync(p);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return '-';
  }
}

/** The file `command` runs as, as spawn finds it from `cwd`: a path (relative to cwd) or the first executable on PATH. */
function resolveCommand(command: string, cwd: string): string | undefined {
  if (command.includes('/')) return path.resolve(cwd, command);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.resolve(cwd, dir, command);
    try {
      const st = fs.statSync(p);
      if (st.isFile() && st.mode & 0o111) return p;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** `.python-version` from cwd up to the file system root, and pyenv's global version file: what a launcher reads. */
function versionFiles(cwd: string): string[] {
  const out: string[] = [];
  for (let d = cwd; ; d = path.dirname(d)) {
    out.push(path.join(d, '.python-version'));
    if (path.dirname(d) === d) break;
  }
  out.push(path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'version'));
  return out;
}

/** The oldest Python the workers and the analyzer run on. */
const MIN_PYTHON: [number, number] = [3, 8];

/** A probe's outcome: the interpreter, or what is wrong with the command (undefined when it cannot be told: a timeout). */
type ProbeResult = { probe: Probe } | { problem?: string; error: string };

/** The first non-blank line a failed command printed, quoted and cut short, for a message. */
function printed(stderr: string, stdout: string): string {
  const line = `${stderr}\n${stdout}`.split('\n').map((l) => l.trim()).find((l) => l) ?? '';
  return line ? `it printed: ${line.length > 80 ? `${line.slice(0, 80)}…` : line}` : 'it printed nothing';
}

/** What is wrong with `command` that failed to start, judged by the file it names (`resolved`) and the error. */
function startProblem(command: string, resolved: string | undefined, code: string): string | undefined {
  if (!resolved) return command.includes('/') ? 'does not exist' : 'is not found on PATH';
  let st: fs.Stats;
  try {
    st = fs.statSync(resolved);
  } catch {
    return 'does not exist';
  }
  if (st.isDirectory()) return 'is a folder, not an interpreter';
  if (code === 'EACCES') return 'is not executable';
  return `cannot be started (${code})`;
}

function runProbe(command: string, cwd: string, resolved: string | undefined): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const options = { cwd, env: process.env, encoding: 'utf8' as const, timeout: PROBE_TIMEOUT_MS, maxBuffer: 4 << 20, windowsHide: true };
    // The program on stdin (`-`), so a command that is not Python echoes a short argument, not the program, in its error
    const child = execFile(command, ['-'], options, (err: (Error & { code?: unknown; killed?: boolean; signal?: string | null }) | null, stdout: string, stderr: string) => {
      if (err) {
        const error = err.message.split('\n')[0];
        if (typeof err.code === 'string') return resolve({ problem: startProblem(command, resolved, err.code), error });
        if (err.killed) return resolve({ error }); // the timeout: a busy machine, not a verdict on the interpreter
        const how = typeof err.code === 'number' ? `it exited with code ${err.code}` : `it was killed by ${err.signal ?? 'a signal'}`;
        return resolve({ problem: `is not a Python interpreter (${how}, and ${printed(stderr, stdout)})`, error });
      }
      let p: Probe;
      try {
        const lines = stdout.trim().split('\n');
        p = JSON.parse(lines[lines.length - 1]) as Probe;
        if (typeof p.exe !== 'string' || typeof p.version !== 'string' || !Array.isArray(p.path)) throw new Error('unexpected probe output');
      } catch (e) {
        return resolve({ problem: `is not a Python interpreter (${printed(stderr, stdout)})`, error: (e as Error).message });
      }
      const [major, minor] = (/^(\d+)\.(\d+)/.exec(p.version) ?? []).slice(1).map(Number);
      if (!(major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]))) {
        const version = p.version.split(' ')[0];
        return resolve({ problem: `is Python ${version}; batt needs Python ${MIN_PYTHON.join('.')} or newer`, error: `Python ${version}` });
      }
      resolve({ probe: p });
    });
    child.stdin?.on('error', () => undefined); // a command that exits without reading it (EPIPE): judged by its exit
    child.stdin?.end(PROBE);
  });
}

/** A probed command: its record when it works, else what is wrong with it (when that can be told). */
type Probed = { rec: ProbeRecord } | { problem?: string };

export class InterpreterFingerprints {
  private readonly records = new Map<string, ProbeRecord>();
  private readonly probing = new Map<string, Promise<Probed>>();
  private loaded?: Promise<void>;

  /** `file`: where records persist (the workspace's cache folder). */
  constructor(
    private readonly file: string,
    private readonly log?: (line: string) => void,
  ) {}

  /**
   * The fingerprint of `command` as workers started in `cwd` run it; `roots` are the workspace roots the workers put
   * first on sys.path (their modules are fingerprinted by the workspace, so they are left out here). Never rejects.
   */
  async fingerprint(command: string, cwd: string, roots: string[]): Promise<string> {
    const { key, probed } = await this.check(command, cwd, roots);
    return 'rec' in probed ? probed.rec.fingerprint : sha256(JSON.stringify(['unprobed', key]));
  }

  /**
   * What is wrong with `command` as the workers' interpreter, e.g. "does not exist", "is not a Python interpreter (it
   * exited with code 2; it printed "...")", "is Python 3.6.15; batt needs Python 3.8 or newer"; undefined when it
   * works or when that cannot be told (the probe timed out). Shares the probe with fingerprint(); a remembered
   * record costs only stats.
   */
  async problem(command: string, cwd: string, roots: string[]): Promise<string | undefined> {
    const { probed } = await this.check(command, cwd, roots);
    return 'problem' in probed ? probed.problem : undefined;
  }

  private async check(command: string, cwd: string, roots: string[]): Promise<{ key: string; probed: Probed }> {
    const resolved = resolveCommand(command, cwd);
    const env = Object.entries(process.env)
      .filter(([k]) => k === 'PATH' || k.startsWith('PYTHON') || k.startsWith('PYENV'))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = sha256(JSON.stringify([command, cwd, roots, resolved ?? null, resolved ? realpath(resolved) : null, env]));
    await this.load();
    const known = this.records.get(key);
    if (known && Object.entries(known.watch).every(([p, sig]) => signature(p) === sig)) return { key, probed: { rec: known } };
    let pending = this.probing.get(key);
    if (!pending) {
      pending = this.probe(key, command, cwd, roots, resolved).finally(() => this.probing.delete(key));
      this.probing.set(key, pending);
    }
    return { key, probed: await pending };
  }

  /** Forgets every record (`batt cache clear`). */
  async clear(): Promise<void> {
    this.records.clear();
    await fs.promises.rm(this.file, { force: true });
  }

  private async probe(key: string, command: string, cwd: string, roots: string[], resolved: string | undefined): Promise<Probed> {
    const result = await runProbe(command, cwd, resolved);
    if (!('probe' in result)) {
      this.log?.(`cannot probe the interpreter '${command}': ${result.error}`);
      return { problem: result.problem };
    }
    const p = result.probe;
    const ignored = new Set(roots.map(realpath));
    const entries = p.path.map((e) => path.resolve(cwd, e)).filter((e) => !ignored.has(realpath(e)));
    const watched = [p.exe, ...entries, path.join(p.prefix, 'pyvenv.cfg')];
    if (p.userSite) watched.push(p.userSite);
    if (resolved) {
      watched.push(resolved);
      if (realpath(resolved) !== p.exe) watched.push(...versionFiles(cwd));
    }
    const watch: Record<string, string> = {};
    for (const w of watched) watch[w] = signature(w);
    const fingerprint = sha256(JSON.stringify([p.exe, p.version, p.prefix, entries.map((e) => [e, watch[e]])]));
    const rec: ProbeRecord = { fingerprint, watch, at: Date.now() };
    this.log?.(`interpreter '${command}': Python ${p.version.split(' ')[0]} at ${p.exe}, ${entries.length} sys.path entries`);
    if (!resolved) return { rec }; // not found by the PATH search spawn does: cannot be re-checked by stats, so not remembered
    this.records.set(key, rec);
    await this.persist(key, rec);
    return { rec };
  }

  private load(): Promise<void> {
    this.loaded ??= fs.promises.readFile(this.file, 'utf8').then(
      (text) => {
        const data = JSON.parse(text) as { records?: Record<string, ProbeRecord> };
        for (const [k, r] of Object.entries(data.records ?? {})) if (!this.records.has(k)) this.records.set(k, r);
      },
      () => undefined,
    ).catch(() => undefined); // a missing or broken file is an empty one
    return this.loaded;
  }

  /** Merges the record into the file (other processes may have added theirs), keeping the newest MAX_RECORDS. */
  private async persist(key: string, rec: ProbeRecord): Promise<void> {
    try {
      let records: Record<string, ProbeRecord> = {};
      try {
        records = (JSON.parse(await fs.promises.readFile(this.file, 'utf8')) as { records?: Record<string, ProbeRecord> }).records ?? {};
      } catch {
        // missing or broken: start afresh
      }
      records[key] = rec;
      const kept = Object.entries(records)
        .sort(([, a], [, b]) => b.at - a.at)
        .slice(0, MAX_RECORDS);
      await mkdirp(path.dirname(this.file));
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, records: Object.fromEntries(kept) }));
    } catch (e) {
      this.log?.(`cannot write ${this.file}: ${(e as Error).message}`);
    }
  }
}
