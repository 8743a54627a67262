/**
 * Reading and checking the workspace file `batt.json`, and the one precedence rule: a CLI flag or an explicitly set
 * VS Code setting > batt.json > the environment variable > the default. The table is src/protocol/settings.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_FILE, SETTING_NAMES, SETTINGS, SettingName, SettingValues } from '../protocol/settings';
import type { InputError } from './types';

export interface BattJson {
  /** the valid keys, by setting name */
  values: Partial<SettingValues>;
  errors: InputError[];
  file?: string;
}

/** What is wrong with a value for a setting ("must be ..."), or undefined when it is fine. */
export function valueProblem(name: SettingName, value: unknown): string | undefined {
  const s = SETTINGS[name];
  if (s.type === 'string[]') return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : 'must be a list of strings';
  if (s.type === 'integer' || s.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
    if ((s.min !== undefined && value < s.min) || (s.max !== undefined && value > s.max)) return `must be between ${s.min} and ${s.max}`;
    if (s.type === 'integer' && !Number.isInteger(value)) return `must be an integer from ${s.min} to ${s.max}`;
    return undefined;
  }
  return typeof value === s.type ? undefined : `must be a ${s.type}`;
}

const FILE_KEYS = new Map(SETTING_NAMES.filter((k) => SETTINGS[k].file).map((k) => [SETTINGS[k].file!, k]));

/** Reads `<workspace>/batt.json` if present. Bad keys are reported (file + key) and ignored; the rest is used. */
export function readBattJson(workspace: string): BattJson {
  const file = path.join(workspace, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { values: {}, errors: [] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { values: {}, file, errors: [{ kind: 'config', file, message: `invalid JSON: ${(e as Error).message}` }] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { values: {}, file, errors: [{ kind: 'config', file, message: 'expected a JSON object' }] };
  }
  const values: Record<string, unknown> = {};
  const errors: InputError[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const name = FILE_KEYS.get(key);
    if (!name) {
      errors.push({ kind: 'config', file, place: key, message: `unknown key "${key}" (known: ${[...FILE_KEYS.keys()].join(', ')})` });
      continue;
    }
    const problem = valueProblem(name, value);
    if (problem) errors.push({ kind: 'config', file, place: key, message: `"${key}" ${problem}` });
    else values[name] = value;
  }
  return { values, errors, file };
}

export type SettingSource = 'explicit' | 'batt.json' | 'env' | 'default';

export interface SettingsLayers {
  /** the workspace folder (named by messages about explicit values) */
  workspace: string;
  /** CLI flags, or the VS Code settings the user set; undefined and '' are not set */
  explicit?: Partial<SettingValues>;
  /** the workspace's batt.json (readBattJson); its errors are passed on */
  file?: BattJson;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedSettings {
  values: SettingValues;
  /** which layer gave each value */
  from: Record<SettingName, SettingSource>;
  errors: InputError[];
}

/** How messages name an explicit value: its flag and its VS Code setting. */
function explicitName(name: SettingName): string {
  const s = SETTINGS[name];
  return [s.cli?.flag, s.vscode ? `batt.${name}` : undefined].filter(Boolean).join(' or ') || name;
}

/** The one precedence rule. An explicit value out of range is reported (naming it) and gives way to the next layer. */
export function resolveSettings(layers: SettingsLayers): ResolvedSettings {
  const values: Record<string, unknown> = {};
  const from = {} as Record<SettingName, SettingSource>;
  const errors: InputError[] = [...(layers.file?.errors ?? [])];
  const isSet = (v: unknown) => v !== undefined && v !== '';
  for (const name of SETTING_NAMES) {
    const spec = SETTINGS[name];
    const explicit = layers.explicit?.[name];
    const problem = isSet(explicit) ? valueProblem(name, explicit) : undefined;
    if (problem) {
      errors.push({ kind: 'config', file: layers.workspace, place: explicitName(name), message: `${explicitName(name)} ${problem}, got ${JSON.stringify(explicit)}` });
    }
    const fileValue = layers.file?.values[name];
    const envValue = spec.env ? envSetting(name, layers.env?.[spec.env], layers.workspace, errors) : undefined;
    const pick: Array<[SettingSource, unknown]> = [
      ['explicit', problem ? undefined : explicit],
      ['batt.json', fileValue],
      ['env', envValue],
    ];
    const hit = pick.find(([, v]) => isSet(v));
    values[name] = hit ? hit[1] : spec.default;
    from[name] = hit ? hit[0] : 'default';
  }
  return { values: values as unknown as SettingValues, from, errors };
}

/** An environment variable's text as its setting's type (a number for numeric settings); a bad value is reported, not set. */
function envSetting(name: SettingName, text: string | undefined, workspace: string, errors: InputError[]): unknown {
  const spec = SETTINGS[name];
  if (text === undefined || text === '') return undefined;
  const value = spec.type === 'integer' || spec.type === 'number' ? Number(text) : text;
  const problem = valueProblem(name, value);
  if (!problem) return value;
  errors.push({ kind: 'config', file: workspace, place: `$${spec.env}`, message: `$${spec.env} ${problem}, got ${JSON.stringify(text)}` });
  return undefined;
}

/** The engine's options (milliseconds for the timeout) as setting values, and back. */
export interface EngineSettingOptions {
  python?: string;
  tasksPath?: string;
  workers?: number;
  timeoutMs?: number;
  memoryMB?: number;
  timeoutQuarantine?: number;
  include?: string[];
  exclude?: string[];
  cacheDir?: string;
}

export function optionValues(o: EngineSettingOptions): Partial<SettingValues> {
  return {
    pythonPath: o.python,
    tasksPath: o.tasksPath,
    workers: o.workers,
    timeoutSeconds: o.timeoutMs === undefined ? undefined : o.timeoutMs / 1000,
    memoryLimitMB: o.memoryMB,
    timeoutQuarantine: o.timeoutQuarantine,
    include: o.include,
    exclude: o.exclude,
    cacheDir: o.cacheDir,
  };
}

export function engineOptions(v: Partial<SettingValues>): EngineSettingOptions {
  return {
    python: v.pythonPath || undefined,
    tasksPath: v.tasksPath || undefined,
    workers: v.workers,
    timeoutMs: v.timeoutSeconds === undefined ? undefined : v.timeoutSeconds * 1000,
    memoryMB: v.memoryLimitMB,
    timeoutQuarantine: v.timeoutQuarantine,
    include: v.include,
    exclude: v.exclude,
    cacheDir: v.cacheDir || undefined,
  };
}
