/**
 * `<workspace>/.batt/`: what batt keeps in the workspace — the solver store (`solvers/`) and the run log
 * (`runs.jsonl`). The caches and bytecode live outside it (cacheLocation.ts). When batt creates the folder it writes
 * `.batt/.gitignore` (`*`), so git never offers any of it; a `.gitignore` the user changed or removed later is left so.
 */
import * as fs from 'fs';
import * as path from 'path';

export const BATT_FOLDER = '.batt';

export const BATT_GITIGNORE = "# Written by batt: its solver store and run log stay out of git (delete this file to commit them).\n*\n";

export function battFolder(root: string): string {
  return path.join(root, BATT_FOLDER);
}

/** Creates `<root>/.batt` with its `.gitignore` if it is not there; returns the folder. Refused writes are thrown. */
export async function ensureBattFolder(root: string): Promise<string> {
  const dir = battFolder(root);
  try {
    await fs.promises.mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return dir;
    throw err;
  }
  // Only the process that created the folder writes the file ('wx': never over one that is there).
  await fs.promises.writeFile(path.join(dir, '.gitignore'), BATT_GITIGNORE, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return dir;
}
