/**
 * The settings that stop a run when they do not work — a tasks path that does not exist, a cache folder that is a
 * file, an interpreter that is missing, not Python or too old — as ConfigErrors (the CLI exits 2): one line saying what
 * is wrong and how to fix it, naming where the value was set (`--python`, `batt.pythonPath`, `"python" in
 * /ws/batt.json`, `$BATT_PYTHON`, the default). On batt.json when the value came from there.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_FILE, type SettingName } from '../protocol/settings';
import { ConfigError, settingPlaces, sourceName, type ExplicitFrom, type SettingSource } from './settings';

/** Whose setting it is: the workspace (for batt.json) and how explicit values are named. */
export interface SettingOwner {
  workspace: string;
  explicitFrom?: ExplicitFrom;
}

function settingError(owner: SettingOwner, name: SettingName, from: SettingSource, message: string): ConfigError {
  const file = from === 'batt.json' ? path.join(owner.workspace, CONFIG_FILE) : owner.workspace;
  return new ConfigError({ kind: 'config', file, place: sourceName(name, from, owner), message });
}

/** "no tasks found: tasks path /x does not exist (--tasks)": a tasks path set explicitly or in batt.json that is not there. */
export function tasksPathError(owner: SettingOwner, tasksPath: string, from: SettingSource): ConfigError {
  return settingError(owner, 'tasksPath', from, `no tasks found: tasks path ${tasksPath} does not exist (${sourceName('tasksPath', from, owner)})`);
}

/** The cache folder, or the first of its parents that exists, is a file: a ConfigError naming it; else undefined. */
export function cacheDirError(owner: SettingOwner, cacheDir: string, from: SettingSource): ConfigError | undefined {
  for (let d = cacheDir; ; d = path.dirname(d)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && path.dirname(d) !== d) continue;
      return undefined; // unreadable: the cache is skipped with a warning when it cannot be read or written
    }
    if (st.isDirectory()) return undefined;
    const source = sourceName('cacheDir', from, owner);
    const what = d === cacheDir ? 'is a file, not a folder' : `cannot be created: ${d} is a file`;
    const fix = from === 'default' ? `remove ${d}, or choose another folder with ${settingPlaces('cacheDir', owner.explicitFrom)}` : `point ${source} at a folder`;
    return settingError(owner, 'cacheDir', from, `cache folder ${cacheDir} (${source}) ${what}; ${fix}`);
  }
}

/**
 * `problem` (from InterpreterFingerprints.problem: "does not exist", "is not a Python interpreter (...)", "is Python
 * 3.6.15; ...") as the one line a user reads, e.g. "interpreter /bin/ls (--python) is not a Python interpreter (it
 * exited with code 2, and it printed: ...); point --python at a Python 3.8 or newer interpreter".
 */
export function interpreterError(owner: SettingOwner, command: string, from: SettingSource, problem: string): ConfigError {
  const source = sourceName('pythonPath', from, owner);
  const fix =
    from === 'default'
      ? `install Python 3.8 or newer as ${command}, or choose an interpreter with ${settingPlaces('pythonPath', owner.explicitFrom)}`
      : `point ${source} at a Python 3.8 or newer interpreter`;
  return settingError(owner, 'pythonPath', from, `interpreter ${command} (${source}) ${problem}; ${fix}`);
}
