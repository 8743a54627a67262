/**
 * The settings model: every setting of batt, once — its type, default, range, what a change restarts, and its name
 * in each place it can be set: the VS Code setting `batt.<name>`, the workspace file `batt.json`, a `batt run` flag,
 * an environment variable. Precedence (src/engine/settings.ts resolveSettings): a CLI flag or an explicitly set VS
 * Code setting > batt.json > the environment variable > the default. Plain data: no node builtins, no `vscode`.
 * test/unit/settings.test.ts checks package.json's `batt.*` schema against this table.
 */

/** Every setting's value type. */
export interface SettingValues {
  /** Python interpreter of the workers */
  pythonPath: string;
  /** tasks folder, task file or Kaggle challenges file; '' = <ws>/tasks or <ws>/data/training */
  tasksPath: string;
  workers: number;
  runOnSave: boolean;
  /** the editor shows the trace of the solver under the cursor at the end of its lines (src/extension/inlineValues.ts) */
  inlineValues: boolean;
  timeoutSeconds: number;
  memoryLimitMB: number;
  /** in a battery, a candidate that timed out on this many tasks is not started on further ones; 0 = never */
  timeoutQuarantine: number;
  include: string[];
  exclude: string[];
  /** cache folder, relative to the workspace; '' = the user cache folder's batt/<folder>-<hash> (src/engine/store/cacheLocation.ts) */
  cacheDir: string;
  /** run solvers in the Landlock sandbox (src/worker/scoring/sandbox.py) */
  sandbox: boolean;
  /** a Dask distributed scheduler, tcp://HOST:PORT, that runs the jobs instead of the local pool; '' = the local pool */
  cluster: string;
  /** the interpreter of the cluster coordinator (src/worker/cluster/coordinator.py): one that has dask.distributed */
  clusterPython: string;
}

export type SettingName = keyof SettingValues;

export interface SettingSpec<T> {
  /** as in package.json's schema; 'string[]' is an array of strings */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'string[]';
  /** the value when no layer sets one */
  default: T;
  /** the default as help text shows it, where the value alone would not say it */
  defaultText?: string;
  min?: number;
  max?: number;
  /**
   * What a change needs: 'pool' — the workers are started with it; 'engine' — the engine is built with it. The
   * language server rebuilds the engine, restarting running workers, on either.
   */
  restarts?: 'pool' | 'engine';
  /** the VS Code setting `batt.<name>`; `default` is its package.json default where that differs ('' = not set) */
  vscode?: { default?: T };
  /** its key in batt.json */
  file?: string;
  /** its `batt run` flag: --flag [-short] ARG, with the help line's text */
  cli?: { flag: string; short?: string; arg: string; help: string };
  /** an environment variable giving it */
  env?: string;
}

export const SETTINGS: { readonly [K in SettingName]: Readonly<SettingSpec<SettingValues[K]>> } = {
  pythonPath: {
    type: 'string',
    default: 'python3',
    vscode: { default: '' },
    restarts: 'pool',
    file: 'python',
    cli: { flag: '--python', arg: 'PATH', help: 'Python interpreter' },
    env: 'BATT_PYTHON',
  },
  tasksPath: {
    type: 'string',
    default: '',
    defaultText: '<workspace>/tasks or <workspace>/data/training',
    vscode: {},
    restarts: 'engine',
    file: 'tasks',
    cli: { flag: '--tasks', short: '-t', arg: 'PATH', help: 'tasks folder, task file, or Kaggle *_challenges.json' },
  },
  workers: {
    type: 'integer',
    default: 4,
    min: 1,
    max: 64,
    vscode: {},
    restarts: 'pool',
    file: 'workers',
    cli: { flag: '--workers', short: '-n', arg: 'N', help: 'worker processes' },
  },
  runOnSave: { type: 'boolean', default: true, vscode: {} },
  inlineValues: { type: 'boolean', default: true, vscode: {} },
  timeoutSeconds: {
    type: 'number',
    default: 10,
    min: 0.05,
    max: 3600,
    vscode: {},
    restarts: 'pool',
    file: 'timeoutSeconds',
    cli: { flag: '--timeout', arg: 'SEC', help: 'per-pair timeout in seconds of CPU time' },
  },
  memoryLimitMB: {
    type: 'integer',
    default: 2048,
    min: 0,
    max: 1 << 20,
    vscode: {},
    restarts: 'pool',
    file: 'memoryLimitMB',
    cli: { flag: '--memory', arg: 'MB', help: 'memory cap per worker in MiB, 0 = none' },
  },
  timeoutQuarantine: {
    type: 'integer',
    default: 2,
    min: 0,
    max: 1000,
    vscode: {},
    // the engine is built with it (an explicit option), so the language server rebuilds it on a change
    restarts: 'engine',
    file: 'timeoutQuarantine',
    cli: { flag: '--timeout-quarantine', arg: 'K', help: 'skip a candidate on further tasks after timeouts on K tasks (0 = never)' },
    env: 'BATT_TIMEOUT_QUARANTINE',
  },
  include: { type: 'string[]', default: ['**/*.py'], vscode: {}, restarts: 'engine', file: 'include' },
  exclude: {
    type: 'string[]',
    default: ['**/.*/**', '**/node_modules/**', '**/venv/**', '**/.venv/**', '**/env/**', '**/site-packages/**', '**/__pycache__/**'],
    vscode: {},
    restarts: 'engine',
    file: 'exclude',
  },
  cacheDir: {
    type: 'string',
    default: '',
    defaultText: '~/.cache/batt/<folder>-<hash> (or under $XDG_CACHE_HOME)',
    restarts: 'engine',
    file: 'cacheDir',
    cli: { flag: '--cache-dir', arg: 'DIR', help: 'cache folder' },
  },
  // `batt run --no-sandbox` turns it off (src/cli/args.ts); turning it off is a downgrade an untrusted workspace cannot make
  sandbox: { type: 'boolean', default: true, vscode: {}, restarts: 'pool', file: 'sandbox' },
  cluster: {
    type: 'string',
    default: '',
    defaultText: 'none: the local pool',
    vscode: {},
    restarts: 'pool',
    file: 'cluster',
    cli: { flag: '--cluster', arg: 'tcp://HOST:PORT', help: 'run the jobs on this Dask scheduler instead of the local pool' },
  },
  clusterPython: {
    type: 'string',
    default: '/usr/bin/python3',
    vscode: { default: '' },
    restarts: 'pool',
    file: 'clusterPython',
    cli: { flag: '--cluster-python', arg: 'PATH', help: 'interpreter of the cluster coordinator (it needs dask.distributed)' },
    env: 'BATT_CLUSTER_PYTHON',
  },
};

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The VS Code settings `batt.*` (the settings that have `vscode` in the table). */
export type BattSettings = Omit<SettingValues, 'cacheDir'>;

export const VSCODE_SETTINGS = SETTING_NAMES.filter((k) => SETTINGS[k].vscode) as Array<keyof BattSettings>;

/** The settings a change of which rebuilds the engine (and restarts its running workers). */
export const RESTART_SETTINGS: readonly SettingName[] = SETTING_NAMES.filter((k) => SETTINGS[k].restarts);

/** The VS Code settings' defaults, as package.json declares them. */
export const DEFAULTS = Object.fromEntries(VSCODE_SETTINGS.map((k) => [k, SETTINGS[k].vscode?.default ?? SETTINGS[k].default])) as unknown as BattSettings;

/** The workspace config file at the workspace root. */
export const CONFIG_FILE = 'batt.json';
