/**
 * What every engine-running command of the `batt` CLI sets up the same way: the engine from the run options, and
 * Ctrl-C / SIGTERM as a cancel (a second Ctrl-C quits at once).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../engine/engine';
import { UsageError } from '../engine/errors';
import type { RunArgs } from './args';

/** The engine for these options; `local`: the command never runs on a cluster (its options are refused earlier). */
export function cliEngine(a: RunArgs, opts: { local?: boolean } = {}): Engine {
  if (!fs.existsSync(a.workspace)) throw new UsageError(`workspace ${a.workspace} does not exist`);
  return new Engine({
    workspace: path.resolve(a.workspace),
    tasksPath: a.tasks ? path.resolve(a.tasks) : undefined,
    workers: a.workers,
    timeoutMs: a.timeoutMs,
    memoryMB: a.memoryMB,
    timeoutQuarantine: a.timeoutQuarantine,
    python: a.python,
    cacheDir: a.cacheDir ? path.resolve(a.cacheDir) : undefined,
    sandbox: a.sandbox,
    cluster: opts.local ? undefined : a.cluster,
    clusterPython: opts.local ? undefined : a.clusterPython,
    explicitFrom: 'cli',
    log: process.env.BATT_DEBUG ? (l) => process.stderr.write(`${l}\n`) : undefined,
  });
}

export interface Interrupt {
  signal: AbortSignal;
  /** whether Ctrl-C (or SIGTERM) came */
  readonly interrupted: boolean;
  /** removes the handlers */
  dispose(): void;
}

/** SIGINT / SIGTERM abort the signal (the command ends with what it has); a second one exits with 130 at once. */
export function onInterrupt(): Interrupt {
  const abort = new AbortController();
  let interrupted = false;
  const handler = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nbatt: cancelling (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: abort.signal,
    get interrupted() {
      return interrupted;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
