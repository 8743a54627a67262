/**
 * Where the Python side lives: `<workerDir>/scoring/main.py` (the scoring worker, runs user code) and
 * `<workerDir>/analyzer/analyze.py` (the analyzer, parses only). Bundled: dist/worker; from source: src/worker.
 */
import * as fs from 'fs';
import * as path from 'path';

export function scoringScript(workerDir: string): string {
  return path.join(workerDir, 'scoring', 'main.py');
}

export function analyzerScript(workerDir: string): string {
  return path.join(workerDir, 'analyzer', 'analyze.py');
}

export function defaultWorkerDir(): string {
  const candidates = [path.join(__dirname, 'worker'), path.join(__dirname, '..', 'worker'), path.join(__dirname, '..', '..', 'src', 'worker')];
  return candidates.find((d) => fs.existsSync(scoringScript(d))) ?? candidates[0];
}
