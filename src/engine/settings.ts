/**
 * Reading and checking the workspace file `batt.json`, and the one precedence rule: a CLI flag or an explicitly set
 * VS Code setting > batt.json > the environment variable > the default. The table is src/protocol/settings.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_FILE, SETTING_NAMES, SETTINGS, SettingName, SettingValues } from '../protocol/settings';
import { UsageError } from './errors';
import { parseJson } from './fsutil';
import type { InputError } from './types';

export interface BattJson {
  /** the valid keys, by setting name */
  values: Partial<SettingValues>;
  errors: InputError[];
  file?: string;
  /** the file is not a JSON object (e.g. a trailing comma): none of its settings is known, so nothing may run */
  unusable?: InputError;
}

/**
 * A configuration problem that stops everything (the CLI exits 2): `input` says where, for the editor to show it
 * on the file (batt.json at a line and column, a setting's source).
 */
export class ConfigError extends UsageError {
  constructor(readonly input: InputError) {
    super(input.line ? `${input.file}:${input.line}:${input.col ?? 1}: ${input.message}` : input.message);
  }
}

/** Below this a worker's memory cap leaves no room for a solver to allocate: a warning, not an error (0 = no cap). */
export const MEMORY_FLOOR_MB = 64;

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
  const parsed = parseJson(text);
  if ('error' in parsed) {
    const { line, col, message } = parsed.error;
    const reason = message.replace(/^invalid JSON at line \d+, column \d+: /, '');
    const body = text.replace(/^\uFEFF/, ''); // the text parseJson's line and column count in
    const offset = body.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
    const trailingComma = /[}\]]/.test(body[offset] ?? '') && /,\s*$/.test(body.slice(0, offset)) ? ' (a trailing comma?)' : '';
    const unusable: InputError = {
      kind: 'config',
      file,
      line,
      col,
      message: `invalid JSON: ${reason}${trailingComma}; fix ${CONFIG_FILE} (nothing runs on a guess of its settings)`,
    };
    return { values: {}, file, errors: [unusable], unusable };
  }
  const raw = parsed.value;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const unusable: InputError = { kind: 'config', file, line: 1, col: 1, message: `expected a JSON object of settings, like { "tasks": "data/training" }` };
    return { values: {}, file, errors: [unusable], unusable };
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
  /** how messages name explicit values: as `batt run` flags, as VS Code settings, or (undefined) as both */
  explicitFrom?: ExplicitFrom;
}

export type ExplicitFrom = 'cli' | 'vscode';

export interface ResolvedSettings {
  values: SettingValues;
  /** which layer gave each value */
  from: Record<SettingName, SettingSource>;
  errors: InputError[];
}

/** How messages name an explicit value: its flag and/or its VS Code setting. */
function explicitName(name: SettingName, explicitFrom?: ExplicitFrom): string {
  const s = SETTINGS[name];
  const flag = explicitFrom !== 'vscode' ? s.cli?.flag : undefined;
  const setting = explicitFrom !== 'cli' && s.vscode ? `batt.${name}` : undefined;
  return [flag, setting].filter(Boolean).join(' or ') || s.cli?.flag || (s.vscode ? `batt.${name}` : name);
}

/**
 * Where a setting's value came from, as a message names it: `--python` (or `batt.pythonPath`), `"python" in
 * /ws/batt.json`, `$BATT_PYTHON`, `the default`.
 */
export function sourceName(name: SettingName, from: SettingSource, layers: Pick<SettingsLayers, 'explicitFrom' | 'file' | 'workspace'>): string {
  const spec = SETTINGS[name];
  if (from === 'explicit') return explicitName(name, layers.explicitFrom);
  if (from === 'batt.json') return `"${spec.file}" in ${layers.file?.file ?? path.join(layers.workspace, CONFIG_FILE)}`;
  if (from === 'env') return `$${spec.env}`;
  return 'the default';
}

/** Every place a setting can be set, for a message about a default that does not work: `--python, batt.pythonPath or "python" in batt.json`. */
export function settingPlaces(name: SettingName, explicitFrom?: ExplicitFrom): string {
  const spec = SETTINGS[name];
  const places = [explicitName(name, explicitFrom), spec.file ? `"${spec.file}" in ${CONFIG_FILE}` : undefined].filter((p): p is string => !!p);
  return places.join(' or ');
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
      const named = explicitName(name, layers.explicitFrom);
      errors.push({ kind: 'config', file: layers.workspace, place: named, message: `${named} ${problem}, got ${JSON.stringify(explicit)}` });
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
  const memory = values.memoryLimitMB as number;
  if (memory > 0 && memory < MEMORY_FLOOR_MB) {
    const named = sourceName('memoryLimitMB', from.memoryLimitMB, layers);
    errors.push({
      kind: 'config',
      severity: 'warning',
      file: from.memoryLimitMB === 'batt.json' && layers.file?.file ? layers.file.file : layers.workspace,
      message: `${named} ${memory} MB is below ${MEMORY_FLOOR_MB} MB, too little for a Python worker: solvers that allocate will fail with MemoryError (0 = no cap)`,
    });
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
  sandbox?: boolean;
  cluster?: string;
  clusterPython?: string;
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
    sandbox: o.sandbox,
    cluster: o.cluster,
    clusterPython: o.clusterPython,
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
    sandbox: v.sandbox,
    cluster: v.cluster || undefined,
    clusterPython: v.clusterPython || undefined,
  };
}
