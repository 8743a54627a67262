/** `<workspace>/.batt/runs.jsonl`: one record per run, appended by the engine and read for the history chart. */
import * as path from 'path';
import type { RunJson, RunRecord } from '../../protocol/results';
import { appendRecord, readRecords } from '../fsutil';
import { battFolder, ensureBattFolder } from './battFolder';

export function runLogFile(root: string): string {
  return path.join(battFolder(root), 'runs.jsonl');
}

/** The record of a run: what the history needs, without grids, prints or per-candidate rows. */
export function runRecord(r: RunJson): RunRecord {
  return {
    at: r.startedAt,
    temperature: r.temperature,
    cancelled: r.cancelled,
    summary: r.summary,
    phases: r.phases,
    cache: { inline: { hits: r.cache.inline.hits, misses: r.cache.inline.misses }, validation: { hits: r.cache.validation.hits, misses: r.cache.validation.misses } },
    pool: { workers: r.pool.workers, restarts: r.pool.restarts },
  };
}

export async function appendRunLog(root: string, rec: RunRecord): Promise<void> {
  await ensureBattFolder(root);
  await appendRecord(runLogFile(root), JSON.stringify(rec));
}

/** The last `limit` records (a torn line from a killed writer is skipped; no file: none). */
export async function readRunLog(root: string, limit: number): Promise<RunRecord[]> {
  const all = await readRecords<RunRecord>(runLogFile(root));
  return all.slice(-limit);
}
