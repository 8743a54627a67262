/**
 * Which Python runs the workers: an explicitly set `batt.pythonPath`, else the interpreter selected in the Python
 * extension when it is installed (through its public API package), else what the engine resolves for the workspace:
 * batt.json "python", else $BATT_PYTHON, else python3. Checked once per choice: missing or older than 3.8 gives one
 * clear message with a button to choose an interpreter.
 */
import { execFile } from 'child_process';
import * as vscode from 'vscode';
import { PythonExtension } from '@vscode/python-extension';
import { readBattJson, resolveSettings } from '../engine/settings';

export interface PythonChoice {
  path: string;
  source: 'batt.pythonPath' | 'python extension' | 'batt.json' | '$BATT_PYTHON' | 'default';
  /** what the language server is told: the editor's choice, or '' when each folder's batt.json, $BATT_PYTHON, python3 decide */
  setting: string;
}

export async function choosePython(settingPath: string, folder?: vscode.Uri): Promise<PythonChoice> {
  if (settingPath) return { path: settingPath, source: 'batt.pythonPath', setting: settingPath };
  if (vscode.extensions.getExtension('ms-python.python')) {
    try {
      const api = await PythonExtension.api();
      const env = api.environments.getActiveEnvironmentPath(folder);
      if (env?.path) return { path: env.path, source: 'python extension', setting: env.path };
    } catch {
      /* fall through to the workspace's batt.json, the environment, the default */
    }
  }
  const r = resolveSettings({ workspace: folder?.fsPath ?? '', file: folder && readBattJson(folder.fsPath), env: process.env });
  const source = r.from.pythonPath === 'batt.json' ? 'batt.json' : r.from.pythonPath === 'env' ? '$BATT_PYTHON' : 'default';
  return { path: r.values.pythonPath, source, setting: '' };
}

/** "3.11.7", or an error message. Runs the interpreter with an argv, never a shell. */
export function pythonVersion(path: string): Promise<{ version?: string; error?: string }> {
  return new Promise((resolve) => {
    execFile(path, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { timeout: 15000 }, (err, stdout) => {
      if (err) resolve({ error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? `"${path}" was not found` : err.message.split('\n')[0] });
      else resolve({ version: stdout.trim() });
    });
  });
}

export function atLeast38(version: string): boolean {
  const [maj, min] = version.split('.').map(Number);
  return maj > 3 || (maj === 3 && min >= 8);
}

/** Shows the one message; its button opens the interpreter picker (or the setting). */
export async function reportBadPython(choice: PythonChoice, problem: string): Promise<void> {
  const pick = 'Choose Interpreter';
  const answer = await vscode.window.showErrorMessage(`batt needs Python 3.8 or newer: ${problem} (from ${choice.source}).`, pick);
  if (answer === pick) {
    if (vscode.extensions.getExtension('ms-python.python')) await vscode.commands.executeCommand('python.setInterpreter');
    else await vscode.commands.executeCommand('workbench.action.openSettings', 'batt.pythonPath');
  }
}
