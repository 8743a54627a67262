/**
 * What batt has running, read from /proc: processes below the extension host (the language server and its Python
 * workers are its descendants) and any process whose command line or cwd names the test workspace. Scoped like this
 * so other test runs on the same machine (their own workers) are not counted.
 */
import * as fs from 'fs';

export interface Proc {
  pid: number;
  ppid: number;
  argv: string[];
  cwd?: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z') return undefined; // a zombie runs nothing
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    let cwd: string | undefined;
    try {
      cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      /* another user's process */
    }
    return { pid, ppid: Number(rest[1]), argv, cwd };
  } catch {
    return undefined; // exited while we looked
  }
}

export function allProcs(): Proc[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map((e) => readProc(Number(e)))
    .filter((p): p is Proc => !!p);
}

/** Processes descending from `root` (default: this extension host) or naming `workspace` in argv/cwd. */
export function relatedProcs(workspace: string, root = process.pid): Proc[] {
  const procs = allProcs();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const below = (p: Proc): boolean => {
    for (let q: Proc | undefined = p, n = 0; q && n < 64; q = byPid.get(q.ppid), n++) if (q.ppid === root) return true;
    return false;
  };
  return procs.filter((p) => p.pid !== root && (below(p) || p.argv.some((a) => a.includes(workspace)) || (p.cwd !== undefined && (p.cwd === workspace || p.cwd.startsWith(workspace + '/')))));
}

/** A process running batt's Python worker or analyzer (src/ or dist/ copies), whatever the interpreter is called. */
export function isBattPython(p: Proc): boolean {
  return p.argv.slice(1).some((a) => /(^|\/)(src|dist)\/worker\/scoring\/main\.py$/.test(a) || /(^|\/)analyze\.py$/.test(a));
}

/** batt's language server (dist/server.js run by Node). */
export function isBattServer(p: Proc, extensionRoot: string): boolean {
  return p.argv.some((a) => a === `${extensionRoot}/dist/server.js` || /batt-dev\.batt[^/]*\/dist\/server\.js$/.test(a));
}

export function describe(ps: Proc[]): string {
  return ps.map((p) => `${p.pid}: ${p.argv.join(' ')}`).join('\n');
}
