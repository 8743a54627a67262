/** Typed reading of the `batt.*` settings (the table, with the defaults, is src/protocol/settings.ts). */
import * as vscode from 'vscode';
import { BattSettings, DEFAULTS, VSCODE_SETTINGS } from '../protocol/settings';

/** Keys the user set (user, workspace or folder level); unset ones give way to the workspace's batt.json. */
export function explicitKeys(): Array<keyof BattSettings> {
  const c = vscode.workspace.getConfiguration('batt');
  return VSCODE_SETTINGS.filter((k) => {
    const i = c.inspect(k);
    return i && (i.globalValue !== undefined || i.workspaceValue !== undefined || i.workspaceFolderValue !== undefined);
  });
}

export function readSettings(): BattSettings {
  const c = vscode.workspace.getConfiguration('batt');
  return Object.fromEntries(VSCODE_SETTINGS.map((k) => [k, c.get(k, DEFAULTS[k])])) as unknown as BattSettings;
}
