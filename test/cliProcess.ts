/**
 * The batt CLI as a process of its own group (as a terminal starts it, so a Ctrl-C is SIGINT to the whole group),
 * run from the TypeScript sources, with its output collected.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import './cacheHome';

const REPO = path.resolve(__dirname, '..');

export interface CliProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** what it printed so far */
  stdout(): string;
  stderr(): string;
  /** its exit code (null when a signal ended it) */
  exited: Promise<number | null>;
  /** SIGKILLs the whole group if it is still running (for `finally`) */
  kill(): void;
}

/**
 * `prefix`: a command that runs the CLI's command line (e.g. `unshare -m sh -c '... exec "$@"' sh`); `env`: variables
 * set (or, undefined, removed) on top of this process's environment.
 */
export function spawnCli(args: string[], opts: { prefix?: string[]; env?: Record<string, string | undefined> } = {}): CliProcess {
  const argv = [...(opts.prefix ?? []), process.execPath, '--require', 'tsx/cjs', path.join(REPO, 'src/cli/main.ts'), ...args];
  const child = spawn(argv[0], argv.slice(1), {
    cwd: REPO,
    detached: true,
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}
