import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readBattJson, resolveSettings, sourceName, type SettingsLayers } from '../../src/engine/settings';
import { DEFAULTS, SETTING_NAMES, SETTINGS, VSCODE_SETTINGS, type SettingName, type SettingValues } from '../../src/protocol/settings';

const WS = '/ws';
const file = (values: Partial<SettingValues>) => ({ values, errors: [], file: `${WS}/batt.json` });

describe('settings: one precedence rule', () => {
  const cases: Array<{ name: string; layers: Omit<SettingsLayers, 'workspace'>; setting: SettingName; value: unknown; from: string; error?: RegExp }> = [
    { name: 'nothing set: the default', layers: {}, setting: 'workers', value: 4, from: 'default' },
    { name: 'nothing set: python3', layers: {}, setting: 'pythonPath', value: 'python3', from: 'default' },
    { name: 'the environment beats the default', layers: { env: { BATT_PYTHON: '/env/python' } }, setting: 'pythonPath', value: '/env/python', from: 'env' },
    { name: 'an empty environment variable is not set', layers: { env: { BATT_PYTHON: '' } }, setting: 'pythonPath', value: 'python3', from: 'default' },
    { name: 'batt.json beats the environment', layers: { env: { BATT_PYTHON: '/env/python' }, file: file({ pythonPath: '/json/python' }) }, setting: 'pythonPath', value: '/json/python', from: 'batt.json' },
    { name: 'explicit beats batt.json and the environment', layers: { explicit: { pythonPath: '/flag/python' }, env: { BATT_PYTHON: '/env/python' }, file: file({ pythonPath: '/json/python' }) }, setting: 'pythonPath', value: '/flag/python', from: 'explicit' },
    { name: 'an explicit "" is not set (VS Code empty string)', layers: { explicit: { pythonPath: '' }, file: file({ pythonPath: '/json/python' }) }, setting: 'pythonPath', value: '/json/python', from: 'batt.json' },
    { name: 'an explicit undefined gives way to batt.json', layers: { explicit: { workers: undefined }, file: file({ workers: 2 }) }, setting: 'workers', value: 2, from: 'batt.json' },
    { name: 'explicit number beats batt.json', layers: { explicit: { workers: 8 }, file: file({ workers: 2 }) }, setting: 'workers', value: 8, from: 'explicit' },
    { name: 'explicit empty list is set', layers: { explicit: { include: [] }, file: file({ include: ['a/*.py'] }) }, setting: 'include', value: [], from: 'explicit' },
    { name: 'a numeric environment variable is read as a number', layers: { env: { BATT_TIMEOUT_QUARANTINE: '3' } }, setting: 'timeoutQuarantine', value: 3, from: 'env' },
    {
      name: 'a bad numeric environment variable is reported naming it, and not set',
      layers: { env: { BATT_TIMEOUT_QUARANTINE: 'lots' } },
      setting: 'timeoutQuarantine', value: 2, from: 'default', error: /\$BATT_TIMEOUT_QUARANTINE must be a number, got "lots"/,
    },
    { name: 'no env var for workers: env ignored', layers: { env: { BATT_WORKERS: '9' } }, setting: 'workers', value: 4, from: 'default' },
    {
      name: 'explicit out of range: rejected naming the flag and setting, batt.json takes over',
      layers: { explicit: { workers: 100 }, file: file({ workers: 2 }) },
      setting: 'workers', value: 2, from: 'batt.json', error: /--workers or batt\.workers must be between 1 and 64, got 100/,
    },
    {
      name: 'explicit out of range, nothing below: the default',
      layers: { explicit: { timeoutSeconds: 0.01 } },
      setting: 'timeoutSeconds', value: 10, from: 'default', error: /--timeout or batt\.timeoutSeconds must be between 0\.05 and 3600/,
    },
    { name: 'explicit wrong type: rejected', layers: { explicit: { memoryLimitMB: 'lots' as unknown as number } }, setting: 'memoryLimitMB', value: 2048, from: 'default', error: /--memory or batt\.memoryLimitMB must be a number/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = resolveSettings({ workspace: WS, ...c.layers });
      assert.deepStrictEqual(r.values[c.setting], c.value);
      assert.strictEqual(r.from[c.setting], c.from);
      if (c.error) {
        assert.strictEqual(r.errors.length, 1, JSON.stringify(r.errors));
        assert.match(r.errors[0].message, c.error);
        assert.strictEqual(r.errors[0].file, WS);
      } else assert.deepStrictEqual(r.errors, []);
    });
  }

  it('batt.json: an integer setting with a fraction is rejected naming the file and key (issue 10)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-settings-'));
    try {
      fs.writeFileSync(path.join(dir, 'batt.json'), JSON.stringify({ workers: 2.5, timeoutSeconds: 2.5 }));
      const j = readBattJson(dir);
      assert.deepStrictEqual(j.values, { timeoutSeconds: 2.5 });
      assert.deepStrictEqual(j.errors.map((e) => [e.place, e.message]), [['workers', '"workers" must be an integer from 1 to 64']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('batt.json: keys by their file names, ranges and types rejected naming the file and key, the rest used', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-settings-'));
    try {
      const f = path.join(dir, 'batt.json');
      fs.writeFileSync(f, JSON.stringify({ tasks: 't', python: 'py', workers: 65, memoryLimitMB: -1, timeoutSeconds: 3, include: 'x', cacheDir: 'c', bogus: 1 }));
      const j = readBattJson(dir);
      assert.deepStrictEqual(j.values, { tasksPath: 't', pythonPath: 'py', timeoutSeconds: 3, cacheDir: 'c' });
      const byKey = Object.fromEntries(j.errors.map((e) => [e.place, e.message]));
      assert.deepStrictEqual(Object.keys(byKey).sort(), ['bogus', 'include', 'memoryLimitMB', 'workers']);
      assert.ok(j.errors.every((e) => e.file === f && e.kind === 'config'));
      assert.strictEqual(byKey.workers, '"workers" must be between 1 and 64');
      assert.strictEqual(byKey.memoryLimitMB, '"memoryLimitMB" must be between 0 and 1048576');
      assert.strictEqual(byKey.include, '"include" must be a list of strings');
      assert.match(byKey.bogus, /unknown key "bogus" \(known: .*tasks.*cacheDir/);
      const r = resolveSettings({ workspace: dir, file: j, env: { BATT_PYTHON: 'envpy' } });
      assert.deepStrictEqual([r.values.workers, r.from.workers, r.values.pythonPath, r.errors.length], [4, 'default', 'py', 4]);
      fs.writeFileSync(f, '{ not json');
      assert.match(readBattJson(dir).errors[0].message, /invalid JSON/);
      fs.rmSync(f);
      assert.deepStrictEqual(readBattJson(dir), { values: {}, errors: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('settings: what does not work is said, with where it was set (issue 10)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-settings-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('batt.json that is not valid JSON is unusable, at its line and column; a trailing comma is named', () => {
    const f = path.join(dir, 'batt.json');
    fs.writeFileSync(f, '{\n  "tasks": "t",\n  "workers": 2,\n}\n');
    const j = readBattJson(dir);
    assert.deepStrictEqual(j.values, {}, 'none of its settings is guessed');
    assert.deepStrictEqual(j.unusable, {
      kind: 'config', file: f, line: 4, col: 1,
      message: 'invalid JSON: expected double-quoted property name (a trailing comma?); fix batt.json (nothing runs on a guess of its settings)',
    });
    fs.writeFileSync(f, '\uFEFF{"workers": 2 "tasks": "t"}');
    assert.deepStrictEqual([j.unusable.line, readBattJson(dir).unusable?.line, readBattJson(dir).unusable?.col], [4, 1, 15]);
    assert.doesNotMatch(readBattJson(dir).unusable?.message ?? '', /trailing comma/);
    fs.writeFileSync(f, '[1, 2]');
    assert.match(readBattJson(dir).unusable?.message ?? '', /^expected a JSON object of settings/);
    fs.writeFileSync(f, '{"workers": 2}');
    assert.strictEqual(readBattJson(dir).unusable, undefined);
  });

  it('sources are named as the user set them: flag, VS Code setting, batt.json key and file, variable, default', () => {
    const j = { values: {}, errors: [], file: `${WS}/batt.json` };
    assert.strictEqual(sourceName('pythonPath', 'explicit', { workspace: WS, explicitFrom: 'cli' }), '--python');
    assert.strictEqual(sourceName('pythonPath', 'explicit', { workspace: WS, explicitFrom: 'vscode' }), 'batt.pythonPath');
    assert.strictEqual(sourceName('tasksPath', 'explicit', { workspace: WS }), '--tasks or batt.tasksPath');
    assert.strictEqual(sourceName('tasksPath', 'batt.json', { workspace: WS, file: j }), `"tasks" in ${WS}/batt.json`);
    assert.strictEqual(sourceName('pythonPath', 'env', { workspace: WS }), '$BATT_PYTHON');
    assert.strictEqual(sourceName('pythonPath', 'default', { workspace: WS }), 'the default');
  });

  it('a memory cap below 64 MB is a warning naming where it was set; 0 (no cap) and 64 are not', () => {
    const warn = (layers: Omit<SettingsLayers, 'workspace'>) => resolveSettings({ workspace: WS, ...layers }).errors;
    assert.deepStrictEqual(warn({ explicit: { memoryLimitMB: 1 }, explicitFrom: 'cli' }), [
      { kind: 'config', severity: 'warning', file: WS, message: '--memory 1 MB is below 64 MB, too little for a Python worker: solvers that allocate will fail with MemoryError (0 = no cap)' },
    ]);
    const fromFile = warn({ file: file({ memoryLimitMB: 63 }) });
    assert.deepStrictEqual([fromFile.length, fromFile[0].file, fromFile[0].severity], [1, `${WS}/batt.json`, 'warning']);
    assert.match(fromFile[0].message, /^"memoryLimitMB" in \/ws\/batt\.json 63 MB is below 64 MB/);
    assert.deepStrictEqual([warn({ explicit: { memoryLimitMB: 0 } }), warn({ explicit: { memoryLimitMB: 64 } }), warn({})], [[], [], []]);
  });
});

describe('settings: package.json agrees with the model', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { type: string; default: unknown; minimum?: number; maximum?: number; items?: { type: string } }> } };
  };
  const props = pkg.contributes.configuration.properties;

  it('every batt.* property is a model VS Code setting with its type, default, minimum and maximum', () => {
    for (const [key, p] of Object.entries(props)) {
      assert.ok(key.startsWith('batt.'), key);
      const name = key.slice(5) as SettingName;
      const s = SETTINGS[name];
      assert.ok(s?.vscode, `${key} is in the model as a VS Code setting`);
      const type = s.type === 'string[]' ? 'array' : s.type;
      assert.strictEqual(p.type, type, `${key} type`);
      if (s.type === 'string[]') assert.strictEqual(p.items?.type, 'string', `${key} items`);
      assert.deepStrictEqual(p.default, DEFAULTS[name as keyof typeof DEFAULTS], `${key} default`);
      assert.deepStrictEqual(p.default, s.vscode.default ?? s.default, `${key} default`);
      assert.strictEqual(p.minimum, s.min, `${key} minimum`);
      assert.strictEqual(p.maximum, s.max, `${key} maximum`);
    }
  });

  it('every model VS Code setting is in package.json, and DEFAULTS has exactly those', () => {
    const model = SETTING_NAMES.filter((k) => SETTINGS[k].vscode);
    assert.deepStrictEqual([...VSCODE_SETTINGS].sort(), [...model].sort());
    assert.deepStrictEqual(Object.keys(props).map((k) => k.slice(5)).sort(), [...model].sort());
    assert.deepStrictEqual(Object.keys(DEFAULTS).sort(), [...model].sort());
  });
});
