/**
 * The README documents every option and setting there is: each flag `batt run --help` / `batt cache --help` prints has
 * a row in the README's option table, and each setting of the table in src/protocol/settings.ts has a row in its
 * "Configuration" table naming its batt.json key, flag, environment variable and VS Code setting.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE_USAGE, USAGE } from '../../src/cli/args';
import { SETTING_NAMES, SETTINGS } from '../../src/protocol/settings';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of the first Markdown table after `heading` (cells trimmed). */
function tableAfter(heading: string): string[][] {
  const at = readme.indexOf(heading);
  assert.ok(at >= 0, `README has no "${heading}"`);
  const lines = readme.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  assert.ok(start >= 0, `no table after "${heading}"`);
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

function flagsOf(usage: string): string[] {
  return [...new Set([...usage.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]))];
}

describe('README: every option and setting is documented', () => {
  it('each flag of batt run --help and batt cache --help has a row in the option table', () => {
    const rows = tableAfter('## The `batt` command').map((r) => r[0]);
    const documented = new Set(rows.flatMap((c) => [...c.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0])));
    const flags = [...flagsOf(USAGE), ...flagsOf(CACHE_USAGE)];
    assert.ok(flags.length >= 15, `parsed only ${flags.length} flags from the usage text`);
    const missing = flags.filter((f) => !documented.has(f));
    assert.deepStrictEqual(missing, [], `flags missing from the README option table: ${missing.join(', ')}`);
  });

  it('each setting has a Configuration row with its batt.json key, flag, variable and VS Code name', () => {
    const rows = tableAfter('### Configuration');
    for (const name of SETTING_NAMES) {
      const s = SETTINGS[name];
      const row = rows.find((r) => r[0] === `\`${name}\``);
      assert.ok(row, `no Configuration row for ${name}`);
      const text = row.join(' | ');
      if (s.file) assert.ok(text.includes(`\`"${s.file}"\``), `${name}: batt.json key "${s.file}" not in: ${text}`);
      if (s.cli) assert.ok(text.includes(s.cli.flag), `${name}: flag ${s.cli.flag} not in: ${text}`);
      if (s.env) assert.ok(text.includes(`$${s.env}`), `${name}: $${s.env} not in: ${text}`);
      if (s.vscode) assert.ok(text.includes(`batt.${name}`), `${name}: VS Code batt.${name} not in: ${text}`);
    }
    const extra = rows.map((r) => r[0].replace(/`/g, '')).filter((n) => !(SETTING_NAMES as string[]).includes(n));
    assert.deepStrictEqual(extra, [], `Configuration rows for settings that do not exist: ${extra.join(', ')}`);
  });
});
