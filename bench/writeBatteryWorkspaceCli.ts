/**
 * `npx tsx bench/writeBatteryWorkspaceCli.ts DIR [CORPUS]`: writes the benchmark's 400-candidate battery workspace
 * (see batteryWorkload.ts) into DIR with a batt.json pointing at the ARC-AGI-1 training tasks (default
 * ../shared/arc-agi-1/training beside the checkout), for checks that need a real-sized workspace in the editor
 * (scripts/ui-check-scale.mjs). Prints the workload as JSON: its tasks and candidates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeBatteryWorkspace } from './batteryWorkload';
import { corpusIds } from './workload';

const repo = path.resolve(__dirname, '..');
const [dir, corpusArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: writeBatteryWorkspaceCli.ts DIR [CORPUS]\n');
  process.exit(2);
}
const corpus = path.resolve(corpusArg ?? path.join(repo, '..', 'shared', 'arc-agi-1', 'training'));
if (!fs.existsSync(corpus)) {
  process.stderr.write(`writeBatteryWorkspaceCli: no ARC-AGI-1 training folder at ${corpus}\n`);
  process.exit(2);
}
const work = writeBatteryWorkspace(path.resolve(dir), path.join(repo, 'samples'), corpusIds(corpus), { candidates: 400, tasks: 40 });
fs.writeFileSync(path.join(dir, 'batt.json'), JSON.stringify({ tasks: corpus, timeoutSeconds: 2 }, null, 2) + '\n');
process.stdout.write(JSON.stringify({ dir: path.resolve(dir), corpus, tasks: work.tasks, candidates: work.candidates.length, real: [...work.real.keys()] }) + '\n');
