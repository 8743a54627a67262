/**
 * batt in VS Code's Testing view: a TestController whose tree (task → candidate → pair, each candidate on its own task)
 * comes from the server's parse (batt/testItems), a Run profile that runs the chosen candidates through the server's
 * runs (batt/runCandidates; Stop cancels it: queued jobs dropped, running workers killed), and continuous run as the
 * on-save behaviour: the server's save runs, which also run while a continuous run is on with batt.runOnSave off.
 * Every run's own-task verdicts (batt/testResults: saves, "Run every task", the cached verdicts at start) are reported
 * as test runs, so the Testing view says what the diagnostics, the panel and the status bar say.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SHOW_PAIR_COMMAND, type PairRef } from '../../protocol/codeActions';
import { ContinuousRunNotification, RunCandidatesRequest, TestItemsNotification, TestResultsNotification, type SolverRef } from '../../protocol/lsp';
import type { TestCandidateResult, TestItemsParams, TestPairResult, TestResultsParams, TestTask } from '../../protocol/testItems';
import { firstProblem, pairMessage, stateOf, summary, type ItemState } from './outcome';
import { candidateItemId, pairItemId, taskItemId, TestTree, type CandidateNode, type TreeOp } from './tree';

/** The `testing/message/content` menu's "Show in batt panel" (package.json), on messages with this contextValue. */
export const SHOW_IN_PANEL_COMMAND = 'batt.testing.showPair';
export const PAIR_MESSAGE = 'batt.pair';

/** One report to a test run, as the integration tests read it. */
export interface TestReport {
  run: string;
  id: string;
  state: ItemState;
  ms?: number;
  messages: Array<{ text: string; expected?: string; actual?: string; uri?: string; line?: number; contextValue?: string; frames?: string[] }>;
}

const line0 = (line: number) => Math.max(0, line - 1);
const at = (line: number) => new vscode.Range(line0(line), 0, line0(line), 0);

export class BattTesting implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('batt', 'batt');
  private readonly tree = new TestTree();
  private readonly tags = { solved: new vscode.TestTag('solved'), unsolved: new vscode.TestTag('unsolved'), duplicate: new vscode.TestTag('duplicate') };
  /** the Run profile's run in flight: batt/runCandidates results land in it */
  private active?: { run: vscode.TestRun; reported: Set<vscode.TestItem> };
  private readonly continuous = new Set<vscode.TestRunRequest>();
  /** results that came before their items (the tree and the cached verdicts are sent at the same time) */
  private pending: TestResultsParams[] = [];
  /** candidate item → whether it solves its task (a task is solved when one of its candidates is) */
  private readonly solved = new Map<vscode.TestItem, boolean>();
  private readonly pairRefs = new WeakMap<vscode.TestItem, PairRef>();
  private client?: LanguageClient;
  /** every report, newest last (kept to 2000) */
  readonly reports: TestReport[] = [];
  /** the names of the test runs created, newest last */
  readonly runNames: string[] = [];

  constructor() {
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (r, t) => this.runHandler(r, t), true, undefined, true);
  }

  attach(client: LanguageClient): void {
    this.client = client;
    client.onNotification(TestItemsNotification.type, (p) => this.onItems(p));
    client.onNotification(TestResultsNotification.type, (p) => this.onResults(p));
  }

  /** Is a continuous run on (saves run even with batt.runOnSave off)? */
  continuousOn(): boolean {
    return this.continuous.size > 0;
  }

  /** The items' ids as "task/candidate/pair" paths (the tree as the tests compare it). */
  paths(): string[] {
    return this.tree.paths();
  }

  /** "Show in batt panel" on a message: the pair view of the message's pair. */
  showPair(arg: { test?: vscode.TestItem } | undefined): Thenable<unknown> | undefined {
    const ref = arg?.test && this.pairRefs.get(arg.test);
    return ref ? vscode.commands.executeCommand(SHOW_PAIR_COMMAND, ref) : undefined;
  }

  private onItems(p: TestItemsParams): void {
    for (const op of this.tree.apply(p)) this.applyOp(op);
    if (!this.pending.length) return;
    const pending = this.pending;
    this.pending = [];
    for (const r of pending) this.onResults(r);
  }

  private applyOp(op: TreeOp): void {
    const items = this.controller.items;
    switch (op.op) {
      case 'removeTask':
        items.delete(op.id);
        return;
      case 'addTask': {
        const t = this.controller.createTestItem(op.task.id, op.task.task.id, vscode.Uri.parse(op.task.task.uri));
        t.sortText = op.task.task.id;
        items.add(t);
        return;
      }
      case 'removeCandidate':
        items.get(op.taskId)?.children.delete(op.id);
        return;
      case 'addCandidate':
        items.get(op.taskId)?.children.add(this.candidateItem(op.candidate, op.task));
        return;
      case 'moveCandidate': {
        const c = items.get(op.taskId)?.children.get(op.candidate.id);
        if (c) c.range = new vscode.Range(line0(op.candidate.line), 0, line0(op.candidate.endLine), 0);
        return;
      }
    }
  }

  private candidateItem(c: CandidateNode, task: TestTask): vscode.TestItem {
    const item = this.controller.createTestItem(c.id, c.name, vscode.Uri.parse(c.uri));
    item.range = new vscode.Range(line0(c.line), 0, line0(c.endLine), 0);
    item.sortText = `${c.uri}\0${String(c.line).padStart(9, '0')}`;
    const uri = vscode.Uri.parse(task.uri);
    const pair = (kind: 'demo' | 'test', index: number, line: number) => {
      const p = this.controller.createTestItem(pairItemId(kind, index), `${kind} ${index}`, uri);
      if (line) p.range = at(line);
      p.sortText = `${kind === 'demo' ? 0 : 1}${String(index).padStart(5, '0')}`;
      this.pairRefs.set(p, { taskId: c.taskId, candidate: c.name, kind, index });
      return p;
    };
    item.children.replace([...task.demoLines.map((l, i) => pair('demo', i, l)), ...task.testLines.map((l, i) => pair('test', i, l))]);
    return item;
  }

  /** The candidate items a request names: a task's candidates, a candidate, a pair's candidate; all when it names none. */
  private requested(req: vscode.TestRunRequest): vscode.TestItem[] {
    const out = new Set<vscode.TestItem>();
    const excluded = new Set(req.exclude ?? []);
    const addTask = (t: vscode.TestItem) => t.children.forEach((c) => !excluded.has(c) && out.add(c));
    const roots: vscode.TestItem[] = [];
    if (req.include) roots.push(...req.include);
    else this.controller.items.forEach((t) => roots.push(t));
    for (const item of roots) {
      if (excluded.has(item)) continue;
      if (!item.parent) addTask(item);
      else if (!item.parent.parent) out.add(item);
      else out.add(item.parent);
    }
    return [...out];
  }

  private async runHandler(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    if (req.continuous) return this.startContinuous(req, token);
    const candidates = this.requested(req);
    const run = this.newRun(req, 'batt: run', true);
    const active = { run, reported: new Set<vscode.TestItem>() };
    this.active = active;
    const all = candidates.flatMap((c) => [c, ...children(c)]);
    all.forEach((i) => run.started(i));
    try {
      if (!this.client || !candidates.length) return;
      const solvers: SolverRef[] = candidates.map((c) => ({ uri: c.uri!.toString(), solver: c.label }));
      const r = await this.client.sendRequest(RunCandidatesRequest.type, { solvers }, token);
      if (!r && !token.isCancellationRequested) run.appendOutput('batt: the run ended without a result (see the Batt log)\r\n');
    } catch (e) {
      if (!token.isCancellationRequested) {
        const m = new vscode.TestMessage(`batt: ${(e as Error).message}`);
        for (const c of candidates) if (!active.reported.has(c)) this.report(run, c, 'errored', [m], active.reported);
      }
    } finally {
      if (this.active === active) this.active = undefined;
      if (token.isCancellationRequested) run.appendOutput('batt: stopped (queued jobs dropped, running workers killed)\r\n');
      for (const i of all) if (!active.reported.has(i)) this.report(run, i, 'skipped', [], active.reported);
      run.end();
    }
  }

  /** A continuous run: saves run (the server's save runs, one runner with batt.runOnSave) until it is stopped. */
  private startContinuous(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    this.continuous.add(req);
    void this.client?.sendNotification(ContinuousRunNotification.type, { on: true });
    return new Promise((resolve) => {
      token.onCancellationRequested(() => {
        this.continuous.delete(req);
        if (!this.continuous.size) void this.client?.sendNotification(ContinuousRunNotification.type, { on: false });
        resolve();
      });
    });
  }

  private newRun(req: vscode.TestRunRequest, name: string, persist: boolean): vscode.TestRun {
    this.runNames.push(name);
    return this.controller.createTestRun(req, name, persist);
  }

  /** A run's verdicts: into the Run profile's run in flight (its own), else a run of their own named after the run. */
  private onResults(p: TestResultsParams): void {
    const found = p.results.map((r) => [r, this.candidate(p.folder, r)] as const);
    const missing = found.filter(([, item]) => !item).map(([r]) => r);
    if (missing.length) this.pending = [...this.pending.slice(-19), { ...p, results: missing }]; // (the newest 20)
    const known = found.filter((x): x is readonly [TestCandidateResult, vscode.TestItem] => !!x[1]);
    if (!known.length) return;
    const own = p.reason === 'candidates' ? this.active : undefined;
    const continuous = p.reason === 'save' ? [...this.continuous][0] : undefined;
    const run = own?.run ?? this.newRun(continuous ?? new vscode.TestRunRequest(known.map(([, i]) => i)), p.label, p.reason !== 'cache');
    if (p.reason === 'cache') run.appendOutput('batt: verdicts from the cache (nothing ran)\r\n');
    const reported = own?.reported ?? new Set<vscode.TestItem>();
    for (const [r, item] of known) this.reportCandidate(run, item, r, p.label, reported);
    if (!own) run.end();
  }

  private candidate(folder: string, r: TestCandidateResult): vscode.TestItem | undefined {
    return this.controller.items.get(taskItemId(folder, r.taskId))?.children.get(candidateItemId(r.uri, r.name));
  }

  private reportCandidate(run: vscode.TestRun, item: vscode.TestItem, r: TestCandidateResult, label: string, reported: Set<vscode.TestItem>): void {
    item.tags = [r.solved ? this.tags.solved : this.tags.unsolved, ...(r.duplicateOf ? [this.tags.duplicate] : [])];
    this.solved.set(item, r.solved);
    const task = item.parent;
    if (task) {
      let any = false;
      task.children.forEach((c) => (any ||= !!this.solved.get(c)));
      task.tags = [any ? this.tags.solved : this.tags.unsolved];
    }
    const state = stateOf(r.status);
    const problem = firstProblem(r);
    const messages: vscode.TestMessage[] = [];
    if (problem && (state === 'failed' || state === 'errored')) {
      // the candidate's message sits on its def line: the first problem, its diff for a mismatch
      const m = this.message(problem, `${summary(r)} — ${pairMessage(problem)}`);
      m.location = new vscode.Location(item.uri!, at(item.range ? item.range.start.line + 1 : 1));
      messages.push(m);
      this.pairRefs.set(item, { taskId: r.taskId, candidate: r.name, kind: problem.kind, index: problem.index });
    }
    this.report(run, item, state, messages, reported, r.ms, label);
    for (const p of r.pairs) {
      const pair = item.children.get(pairItemId(p.kind, p.index));
      if (!pair) continue;
      const s = stateOf(p.status);
      this.report(run, pair, s, s === 'failed' || s === 'errored' ? [this.message(p, pairMessage(p))] : [], reported, p.ms, label);
    }
  }

  /** A failing pair's message: a diff of expected and actual for a mismatch, else the text; at the pair's place. */
  private message(p: TestPairResult, text: string): vscode.TestMessage {
    const m = p.expected !== undefined && p.actual !== undefined ? vscode.TestMessage.diff(text, p.expected, p.actual) : new vscode.TestMessage(text);
    if (p.location) m.location = new vscode.Location(vscode.Uri.parse(p.location.uri), at(p.location.line));
    if (p.frames) m.stackTrace = p.frames.map((f) => new vscode.TestMessageStackFrame(f.label, vscode.Uri.parse(f.uri), new vscode.Position(line0(f.line), 0)));
    m.contextValue = PAIR_MESSAGE;
    return m;
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, state: ItemState, messages: vscode.TestMessage[], reported: Set<vscode.TestItem>, ms?: number, label = 'batt: run'): void {
    reported.add(item);
    if (state === 'passed') run.passed(item, ms);
    else if (state === 'failed') run.failed(item, messages, ms);
    else if (state === 'errored') run.errored(item, messages, ms);
    else run.skipped(item);
    this.reports.push({
      run: label,
      id: itemPath(item),
      state,
      ms,
      messages: messages.map((m) => ({
        text: typeof m.message === 'string' ? m.message : m.message.value,
        expected: m.expectedOutput,
        actual: m.actualOutput,
        uri: m.location?.uri.toString(),
        line: m.location ? m.location.range.start.line + 1 : undefined,
        contextValue: m.contextValue,
        frames: m.stackTrace?.map((f) => `${f.label} ${f.uri?.toString()}:${(f.position?.line ?? 0) + 1}`),
      })),
    });
    if (this.reports.length > 2000) this.reports.splice(0, this.reports.length - 2000);
  }

  dispose(): void {
    this.controller.dispose();
  }
}

function children(item: vscode.TestItem): vscode.TestItem[] {
  const out: vscode.TestItem[] = [];
  item.children.forEach((c) => out.push(c));
  return out;
}

/** "task/candidate/pair" ids of an item. */
export function itemPath(item: vscode.TestItem): string {
  const ids: string[] = [];
  for (let i: vscode.TestItem | undefined = item; i; i = i.parent) ids.unshift(i.id);
  return ids.join('/');
}
