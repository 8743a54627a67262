/**
 * The "Run batt on task" quick pick: tasks grouped unsolved, not run, solved (taskPick.ts builds the items), typing
 * filters on id, pairs, candidates and verdict, and a title button shows one verdict at a time.
 */
import * as vscode from 'vscode';
import type { TaskInfo } from '../protocol/lsp';
import type { TaskRow } from '../protocol/webview';
import { nextFilter, taskPickGroups, type VerdictFilter } from './taskPick';

/** An item of the quick pick (separators have no id). */
export type TaskQuickPickItem = vscode.QuickPickItem & { id?: string };

export class TaskPicker {
  /** the quick pick while it is open (the real-VS-Code tests read its items) */
  current?: vscode.QuickPick<TaskQuickPickItem>;

  /** The chosen task's id; undefined when the pick is dismissed. */
  pick(tasks: TaskInfo[], rows: ReadonlyMap<string, TaskRow>): Promise<string | undefined> {
    const qp = vscode.window.createQuickPick<TaskQuickPickItem>();
    this.current = qp;
    let filter: VerdictFilter = 'all';
    const fill = () => {
      const next = nextFilter(filter);
      qp.title = filter === 'all' ? 'Run batt on task' : `Run batt on task — ${filter} only`;
      qp.buttons = [{ iconPath: new vscode.ThemeIcon(filter === 'all' ? 'filter' : 'filter-filled'), tooltip: `Show ${next === 'all' ? 'all tasks' : `${next} tasks only`}` }];
      qp.items = taskPickGroups(tasks, rows, filter).flatMap((g): TaskQuickPickItem[] => [
        { label: `${g.verdict} (${g.items.length})`, kind: vscode.QuickPickItemKind.Separator },
        ...g.items.map((i) => ({ label: i.label, description: i.description, detail: i.detail, id: i.id })),
      ]);
    };
    qp.placeholder = 'Type to filter tasks by id or verdict (unsolved first); the filter button shows one verdict';
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    fill();
    return new Promise((resolve) => {
      qp.onDidTriggerButton(() => {
        filter = nextFilter(filter);
        fill();
      });
      qp.onDidAccept(() => {
        resolve(qp.selectedItems[0]?.id);
        qp.hide();
      });
      qp.onDidHide(() => {
        resolve(undefined);
        if (this.current === qp) this.current = undefined;
        qp.dispose();
      });
      qp.show();
    });
  }
}
