/** Reading and checking the workspace config file `batt.json`. */
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_FILE, CONFIG_KEYS, WorkspaceConfig } from '../protocol/settings';
import type { InputError } from './types';

export interface ConfigRead {
  config: WorkspaceConfig;
  errors: InputError[];
  file?: string;
}

function typeOk(value: unknown, want: string): boolean {
  if (want === 'string[]') return Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (want === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === want;
}

/** Limits checked on numbers: [min, max]. */
const RANGES: Record<string, [number, number]> = {
  workers: [1, 64],
  timeoutSeconds: [0.05, 3600],
  memoryLimitMB: [0, 1 << 20],
};

/** Reads `<workspace>/batt.json` if present. Bad keys are reported (file + key) and ignored; the rest is used. */
export function readWorkspaceConfig(workspace: string): ConfigRead {
  const file = path.join(workspace, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { config: {}, errors: [] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { config: {}, file, errors: [{ kind: 'config', file, message: `invalid JSON: ${(e as Error).message}` }] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { config: {}, file, errors: [{ kind: 'config', file, message: 'expected a JSON object' }] };
  }
  const config: Record<string, unknown> = {};
  const errors: InputError[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const want = CONFIG_KEYS[key];
    if (!want) {
      errors.push({ kind: 'config', file, place: key, message: `unknown key "${key}" (known: ${Object.keys(CONFIG_KEYS).join(', ')})` });
      continue;
    }
    if (!typeOk(value, want)) {
      errors.push({ kind: 'config', file, place: key, message: `"${key}" must be ${want === 'string[]' ? 'a list of strings' : `a ${want}`}` });
      continue;
    }
    const range = RANGES[key];
    if (range && ((value as number) < range[0] || (value as number) > range[1])) {
      errors.push({ kind: 'config', file, place: key, message: `"${key}" must be between ${range[0]} and ${range[1]}` });
      continue;
    }
    config[key] = value;
  }
  return { config, errors, file };
}
