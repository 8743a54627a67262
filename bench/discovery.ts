/**
 * Section 9, Testing view discovery: a language server opens a workspace whose one solver file holds 400 solvers (one
 * per corpus task) and sends the test tree (batt/testItems) from the analyzer's parse; we time the workspace opening
 * (`initialized`) -> the tree with all 400 candidates, on a fresh server each time: the first one with no cache (the
 * analyzer starts and parses the file), the others with the parse cache the first one's cached-verdicts lookup wrote. Then edits as you type: a body edit changes no item (no message), a rename changes one candidate
 * (the tree's ops: one removed, one added), timed didChange -> the file's message (including the 150 ms pause).
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { TestItemsNotification, type ServerSettings } from '../src/protocol/lsp';
import { DEFAULTS } from '../src/protocol/settings';
import type { TestItemsParams } from '../src/protocol/testItems';
import { Engine } from '../src/engine/engine';
import { TestTree } from '../src/extension/testing/tree';
import type { BenchContext } from './context';
import { LspClient } from './lspClient';
import { median, round } from './measure';
import type { Report } from './report';
import { corpusIds } from './workload';

function solverFile(ids: string[], rename?: number, body?: number): string {
  const out = ['from dsl import *', 'from constants import *', '', ''];
  ids.forEach((id, i) => {
    out.push(`def solve_${id}${i === rename ? '_renamed' : ''}(I):`, '    x1 = rot90(I)', `    O = upscale(x1, ${i === body ? 'TWO' : 'ONE'})`, '    return O', '', '');
  });
  return out.join('\n');
}

export interface DiscoverySection {
  solvers: number;
  openToItemsMs: number[];
  spawnToItemsMs: number[];
  renameMs: number;
  renameOps: number;
  bodyEditMessages: number;
}

/** A server's test tree messages, with their arrival times. */
function listen(client: LspClient): Array<{ p: TestItemsParams; at: number }> {
  const got: Array<{ p: TestItemsParams; at: number }> = [];
  client.conn.onNotification(TestItemsNotification.type, (p) => got.push({ p, at: performance.now() }));
  return got;
}

async function until<T>(what: string, f: () => T | undefined, ms: number): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function discoveryBench(ctx: BenchContext, report: Report): Promise<DiscoverySection> {
  const dir = path.join(ctx.scratch, 'ws-discovery');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['dsl.py', 'constants.py']) fs.copyFileSync(path.join(ctx.repo, 'samples', f), path.join(dir, f));
  const ids = corpusIds(ctx.corpus).slice(0, 400);
  const root = fs.realpathSync(dir);
  const file = path.join(root, 'solvers400.py');
  fs.writeFileSync(file, solverFile(ids));
  const serverJs = path.join(ctx.repo, 'dist', 'server.js');
  if (!fs.existsSync(serverJs)) throw new Error(`${serverJs} not found: run node esbuild.mjs first`);
  const settings: ServerSettings = { ...DEFAULTS, python: ctx.python, trusted: true, tasksPath: ctx.corpus, workers: 2 };
  const full = (got: Array<{ p: TestItemsParams; at: number }>) => got.find((g) => g.p.full && g.p.files.some((f) => f.candidates.length === ids.length));

  const openToItems: number[] = [];
  const spawnToItems: number[] = [];
  const rounds = ctx.quick ? 3 : 5;
  let renameMs = NaN;
  let renameOps = NaN;
  let bodyEditMessages = NaN;
  for (let r = 0; r < rounds; r++) {
    if (r === 1) {
      // what a run leaves behind: the parse cache (in the bench's default cache folder, shared with the servers)
      const engine = new Engine({ workspace: root, tasksPath: ctx.corpus, python: ctx.python, workerDir: ctx.workerDir });
      await engine.run({ cacheOnly: true }).finally(() => engine.dispose());
    }
    const t0 = performance.now();
    const client = new LspClient(serverJs);
    const got = listen(client);
    try {
      const uri = pathToFileURL(root).toString();
      await client.conn.sendRequest('initialize', { processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'bench' }], capabilities: {}, initializationOptions: settings });
      const t1 = performance.now();
      await client.conn.sendNotification('initialized', {});
      const items = await until('the test tree with 400 candidates', () => full(got), 60_000);
      openToItems.push(items.at - t1);
      spawnToItems.push(items.at - t0);
      if (r < rounds - 1) continue;

      // edits as you type, on the last server
      const tree = new TestTree();
      tree.apply(items.p);
      const text = fs.readFileSync(file, 'utf8');
      await client.open(file, text);
      await client.settle(400, 5000);
      const before = got.length;
      await client.change(file, solverFile(ids, undefined, 7));
      await client.settle(600, 5000);
      bodyEditMessages = got.length - before;
      const tc = performance.now();
      await client.change(file, solverFile(ids, 9));
      const delta = await until('the renamed solver', () => got.slice(before).find((g) => !g.p.full), 10_000);
      renameMs = delta.at - tc;
      renameOps = tree.apply(delta.p).length;
    } catch (e) {
      throw new Error(`${(e as Error).message}\nserver log tail:\n${client.logs.slice(-20).join('\n')}`);
    } finally {
      await client.dispose();
    }
  }
  const S = '9 discovery';
  report.check(S, `workspace open (initialized) -> test tree of a 400-solver file, parse cache warm, median of ${rounds - 1} servers`, median(openToItems.slice(1)), 'ms', '<', 300);
  report.info(S, '  the first server: no parse cache (the analyzer starts and parses the file)', openToItems[0], 'ms');
  report.info(S, 'server spawn -> test tree, parse cache warm, median', median(spawnToItems.slice(1)), 'ms');
  report.check(S, 'a solver body edited as you type: test tree messages', bodyEditMessages, '', '<=', 0);
  report.info(S, 'a solver renamed as you type -> its file’s message (150 ms pause included)', renameMs, 'ms');
  report.check(S, 'a solver renamed: tree changes (one removed, one added)', renameOps, '', '<=', 2);
  return { solvers: ids.length, openToItemsMs: openToItems.map((x) => round(x, 1)), spawnToItemsMs: spawnToItems.map((x) => round(x, 1)), renameMs: round(renameMs, 1), renameOps, bodyEditMessages };
}
