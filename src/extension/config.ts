/** Typed reading of the `batt.*` settings (defaults from src/protocol/settings.ts). */
import * as vscode from 'vscode';
import { BattSettings, DEFAULTS } from '../protocol/settings';

/** Keys the user set (user, workspace or folder level); unset ones give way to the workspace's batt.json. */
export function explicitKeys(): Array<keyof BattSettings> {
  const c = vscode.workspace.getConfiguration('batt');
  return (Object.keys(DEFAULTS) as Array<keyof BattSettings>).filter((k) => {
    const i = c.inspect(k);
    return i && (i.globalValue !== undefined || i.workspaceValue !== undefined || i.workspaceFolderValue !== undefined);
  });
}

export function readSettings(): BattSettings {
  const c = vscode.workspace.getConfiguration('batt');
  const get = <K extends keyof BattSettings>(k: K): BattSettings[K] => c.get<BattSettings[K]>(k, DEFAULTS[k]);
  return {
    pythonPath: get('pythonPath'),
    tasksPath: get('tasksPath'),
    workers: get('workers'),
    runOnSave: get('runOnSave'),
    timeoutSeconds: get('timeoutSeconds'),
    memoryLimitMB: get('memoryLimitMB'),
    include: get('include'),
    exclude: get('exclude'),
  };
}
