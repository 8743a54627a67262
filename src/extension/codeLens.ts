/**
 * The commands of the CodeLens actions above each solver (the lenses themselves come from the server,
 * src/server/codeLens.ts): `Run`, the solver on its own task, and `Try on every task`, its battery, both through
 * batt/runCandidates (the run's result updates the diagnostics, the lenses and the panel like any run's), the second
 * then opening the panel's leaderboard on the best task it solves.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { parseSolverRef, RUN_SOLVER_COMMAND, SOLVER_DEF, TRY_EVERY_TASK_COMMAND } from '../protocol/codeLens';
import { RunCandidatesRequest, type ProgressParams, type SolverRef } from '../protocol/lsp';
import type { PairFocus } from '../protocol/webview';
import { tryOutcome } from './codeLensTry';
import * as log from './log';

export interface LensCommandDeps {
  /** the started client, undefined when it could not start */
  client(): Promise<LanguageClient | undefined>;
  /** listen to the server's run progress until the returned function is called */
  onProgress(listener: (p: ProgressParams) => void): () => void;
  /** the panel's leaderboard of a task (its newest known result), with `focus` in view */
  showLeaderboard(taskId: string, focus?: PairFocus): void;
}

/** From the command palette (no argument): the solver the cursor is in, when its top-level `def` is a solver's. */
function solverAtCursor(): SolverRef | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme !== 'file') return undefined;
  for (let line = editor.selection.active.line; line >= 0; line--) {
    const text = editor.document.lineAt(line).text;
    if (!/^(def|class|async def)\b/.test(text)) continue;
    const m = SOLVER_DEF.exec(text);
    return m ? { uri: editor.document.uri.toString(), solver: m[1] } : undefined;
  }
  return undefined;
}

/** The argument a lens passes (else, from the palette, the solver at the cursor), else undefined (said): it comes from outside. */
function solverArg(command: string, arg: unknown): SolverRef | undefined {
  if (arg === undefined) {
    const here = solverAtCursor();
    if (!here) void vscode.window.showWarningMessage('batt: put the cursor in a solver (def solve_...) first.');
    return here;
  }
  const ref = parseSolverRef(arg);
  if (!ref) log.error(`${command}: ignored arguments that name no solver: ${JSON.stringify(arg)?.slice(0, 200)}`);
  return ref;
}

async function trusted(deps: LensCommandDeps): Promise<LanguageClient | undefined> {
  const client = await deps.client();
  if (client && !vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('batt runs nothing in an untrusted workspace.');
    return undefined;
  }
  return client;
}

/** `Run`: the solver on its own task, with a cancellable progress in the status bar. */
async function runSolver(deps: LensCommandDeps, ref: SolverRef): Promise<void> {
  const client = await trusted(deps);
  if (!client) return;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `batt: running ${ref.solver}`, cancellable: true }, async (_p, token) => {
    try {
      await client.sendRequest(RunCandidatesRequest.type, { solvers: [ref] }, token);
    } catch (e) {
      if (token.isCancellationRequested) return;
      log.error(`Run ${ref.solver} failed`, e);
      void vscode.window.showErrorMessage(`batt: ${(e as Error).message}`);
    }
  });
}

/** `Try on every task`: the candidate's battery with a cancellable notification, then the leaderboard and a summary. */
async function tryOnEveryTask(deps: LensCommandDeps, ref: SolverRef): Promise<void> {
  const client = await trusted(deps);
  if (!client) return;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `batt: trying ${ref.solver} on every task`, cancellable: true },
    async (progress, token) => {
      let last = 0;
      const stop = deps.onProgress((p) => {
        if (p.reason !== 'candidates' || !p.total) return;
        progress.report({ message: `${p.done}/${p.total} jobs`, increment: ((p.done - last) / p.total) * 100 });
        last = p.done;
      });
      try {
        const r = await client.sendRequest(RunCandidatesRequest.type, { solvers: [ref], battery: true }, token);
        if (!r) return;
        const outcome = tryOutcome(r, ref.solver);
        if (outcome.taskId) deps.showLeaderboard(outcome.taskId, outcome.focus);
        void vscode.window.showInformationMessage(`batt: ${outcome.summary}`);
      } catch (e) {
        if (token.isCancellationRequested) return;
        log.error(`Try ${ref.solver} on every task failed`, e);
        void vscode.window.showErrorMessage(`batt: ${(e as Error).message}`);
      } finally {
        stop();
      }
    },
  );
}

export function registerLensCommands(deps: LensCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(RUN_SOLVER_COMMAND, (arg: unknown) => {
      const ref = solverArg(RUN_SOLVER_COMMAND, arg);
      return ref && runSolver(deps, ref);
    }),
    vscode.commands.registerCommand(TRY_EVERY_TASK_COMMAND, (arg: unknown) => {
      const ref = solverArg(TRY_EVERY_TASK_COMMAND, arg);
      return ref && tryOnEveryTask(deps, ref);
    }),
  ];
}
