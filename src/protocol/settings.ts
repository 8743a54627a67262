/**
 * Settings shared by the extension (package.json `batt.*`), the language server, the CLI and the workspace config
 * file `batt.json`. DEFAULTS is the single source of truth: a unit test checks package.json's schema defaults against it.
 */
export interface BattSettings {
  /** Python interpreter; empty = the Python extension's choice, else python3 */
  pythonPath: string;
  /** tasks folder, task file or Kaggle challenges file; empty = batt.json `tasks`, else <ws>/tasks or <ws>/data/training */
  tasksPath: string;
  workers: number;
  runOnSave: boolean;
  timeoutSeconds: number;
  memoryLimitMB: number;
  include: string[];
  exclude: string[];
}

export const DEFAULTS: BattSettings = {
  pythonPath: '',
  tasksPath: '',
  workers: 4,
  runOnSave: true,
  timeoutSeconds: 10,
  memoryLimitMB: 2048,
  include: ['**/*.py'],
  exclude: ['**/.*/**', '**/node_modules/**', '**/venv/**', '**/.venv/**', '**/env/**', '**/site-packages/**', '**/__pycache__/**'],
};

/** Settings whose change needs the worker pool restarted. */
export const POOL_SETTINGS: ReadonlyArray<keyof BattSettings> = ['pythonPath', 'workers', 'memoryLimitMB'];

/** The workspace config file at the workspace root. */
export const CONFIG_FILE = 'batt.json';

/** Keys allowed in batt.json, with their types (checked when read; unknown keys are reported). */
export const CONFIG_KEYS: Record<string, 'string' | 'number' | 'boolean' | 'string[]'> = {
  tasks: 'string',
  python: 'string',
  workers: 'number',
  timeoutSeconds: 'number',
  memoryLimitMB: 'number',
  include: 'string[]',
  exclude: 'string[]',
  cacheDir: 'string',
};

export interface WorkspaceConfig {
  tasks?: string;
  python?: string;
  workers?: number;
  timeoutSeconds?: number;
  memoryLimitMB?: number;
  include?: string[];
  exclude?: string[];
  cacheDir?: string;
}
