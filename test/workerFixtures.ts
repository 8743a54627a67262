/** Shared by the worker and pool tests: the interpreter, the worker script, the faulty fixture workspace, ARC tasks. */
import * as fs from 'fs';
import * as path from 'path';
import type { TaskMessage } from '../src/protocol/worker';
import { ARC_TRAINING } from './arcPaths';
import './cacheHome';

export const PYTHON = process.env.BATT_PYTHON ?? 'python3';
export const REPO = path.resolve(__dirname, '..');
export const SCRIPT = path.join(REPO, 'src/worker/scoring/main.py');
export const FAULTY = fs.realpathSync(path.join(REPO, 'test/fixtures/faulty'));

/** An ARC-AGI-1 training task as the worker receives it (key `key-<id>`). */
export function loadTask(id: string): TaskMessage {
  const raw = JSON.parse(fs.readFileSync(path.join(ARC_TRAINING, `${id}.json`), 'utf8')) as {
    train: Array<{ input: number[][]; output: number[][] }>;
    test: Array<{ input: number[][]; output: number[][] }>;
  };
  return { t: 'task', key: `key-${id}`, train: raw.train.map((p) => [p.input, p.output]), test: raw.test.map((p) => [p.input, p.output]) };
}

/** Whether a process exists (ESRCH: gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
