/**
 * The settings an Engine works with: explicit options > batt.json > environment > defaults (src/engine/settings.ts),
 * turned into what a run, a pool and the checks use (milliseconds, resolved paths, where each value came from).
 */
import * as path from 'path';
import { ConfigError, optionValues, readBattJson, resolveSettings, type EngineSettingOptions, type ExplicitFrom } from './settings';
import { resolveTasksPath } from './tasks/tasks';

/** The Engine's effective settings, re-read each run. */
export type EffectiveSettings = ReturnType<typeof effectiveSettings>;

/** The effective settings of the workspace `root`. A batt.json that is not a JSON object is a ConfigError: nothing runs on a guess of its settings. */
export function effectiveSettings(root: string, o: EngineSettingOptions & { explicitFrom?: ExplicitFrom }) {
  const file = readBattJson(root);
  if (file.unusable) throw new ConfigError(file.unusable);
  const { values: v, from, errors } = resolveSettings({ workspace: root, explicit: optionValues(o), file, env: process.env, explicitFrom: o.explicitFrom });
  return {
    python: v.pythonPath,
    workers: v.workers,
    // An explicit timeout is used as given (no round trip through seconds: it is part of the cache keys).
    timeoutMs: from.timeoutSeconds === 'explicit' && o.timeoutMs !== undefined ? o.timeoutMs : v.timeoutSeconds * 1000,
    memoryMB: v.memoryLimitMB,
    timeoutQuarantine: v.timeoutQuarantine,
    include: v.include,
    exclude: v.exclude,
    // An explicit tasks path is relative to the cwd, batt.json's to the workspace.
    tasks: resolveTasksPath(root, from.tasksPath === 'explicit' ? v.tasksPath : undefined, from.tasksPath === 'batt.json' ? v.tasksPath : undefined),
    configTasks: file.values.tasksPath,
    /** the tasks path as set (explicit: as given; batt.json: relative to the workspace), whether or not it exists */
    tasksSet: from.tasksPath === 'explicit' ? path.resolve(v.tasksPath) : from.tasksPath === 'batt.json' ? path.resolve(root, v.tasksPath) : undefined,
    cacheDir: v.cacheDir,
    sandbox: v.sandbox,
    cluster: v.cluster,
    clusterPython: v.clusterPython,
    from,
    errors,
  };
}
