// src/worker/analyzer/protocol.py must mirror src/protocol/analyzer.ts: same ops, request and answer fields, records;
// and what the live analyzer answers must conform to both.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnalyzerOp, AnalyzerRequestLine } from '../../src/protocol/analyzer';

const PYTHON = process.env.BATT_PYTHON ?? 'python3';
const REPO = path.resolve(__dirname, '../..');
const PROTOCOL_PY = path.join(REPO, 'src/worker/analyzer/protocol.py');
const ANALYZE_PY = path.join(REPO, 'src/worker/analyzer/analyze.py');
const ANALYZER_TS = path.join(REPO, 'src/protocol/analyzer.ts');

type Table = Record<string, string[]>;
interface PyTables {
  requests: Table;
  requiredRequest: Table;
  answers: Table;
  errorAnswer: string[];
  records: Table;
  /** [op or record, field, record it holds] */
  nested: string[][];
  nestedRequest: string[][];
  nestedRecord: string[][];
}
interface Iface {
  fields: string[];
  required: string[];
  types: Record<string, string>;
  tag?: string;
}

function python(args: string[], input?: string): string {
  const r = spawnSync(PYTHON, args, { input, encoding: 'utf8' });
  assert.equal(r.status, 0, `${PYTHON} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const TS_SRC = fs.readFileSync(ANALYZER_TS, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

/** Interfaces of analyzer.ts: name -> fields, required fields, field types, and the literal `op` of requests. */
function parseInterfaces(): Map<string, Iface> {
  const out = new Map<string, Iface>();
  for (const m of TS_SRC.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
    const iface: Iface = { fields: [], required: [], types: {} };
    for (const f of m[2].matchAll(/^\s*(\w+)(\??):\s*([^;]+);/gm)) {
      const tag = f[1] === 'op' ? /^'(\w+)'$/.exec(f[3].trim()) : null;
      if (tag) {
        iface.tag = tag[1];
        continue;
      }
      iface.fields.push(f[1]);
      iface.types[f[1]] = f[3].trim();
      if (f[2] !== '?') iface.required.push(f[1]);
    }
    out.set(m[1], iface);
  }
  return out;
}

function unionMembers(name: string): string[] {
  const m = new RegExp(`export type ${name} = ([^;]+);`).exec(TS_SRC);
  assert.ok(m, `${name} not found in analyzer.ts`);
  return m[1].split('|').map((s) => s.trim());
}

const sorted = (t: Table): Table => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, [...v].sort()]).sort());

describe('analyzer protocol mirror (protocol.py <-> analyzer.ts)', () => {
  const py = JSON.parse(python([PROTOCOL_PY])) as PyTables;
  const ifaces = parseInterfaces();
  const get = (name: string): Iface => {
    const i = ifaces.get(name);
    assert.ok(i, `${name} not in analyzer.ts`);
    return i;
  };

  it('protocol.py has the expected ops and fields (the list here)', () => {
    assert.deepEqual(sorted(py.requests), sorted({
      parse: ['path', 'source', 'sources', 'incremental'],
      canonical: ['items'],
      lint: ['path', 'source', 'dslNames'],
      names: ['path', 'source'],
      precompile: ['prefix', 'files'],
      parseStats: [],
    }));
    assert.deepEqual(sorted(py.answers), sorted({
      parse: ['functions', 'batt', 'imports', 'contextHash', 'syntaxError', 'symbols'],
      canonical: ['items'],
      lint: ['problems', 'syntaxError'],
      names: ['names', 'starImports', 'syntaxError'],
      precompile: ['written'],
      parseStats: ['last', 'paths'],
    }));
  });

  it('requests: ops, fields and required fields match the TypeScript interfaces', () => {
    const fields: Table = {};
    const required: Table = {};
    for (const member of unionMembers('AnalyzerRequest')) {
      const i = get(member);
      assert.ok(i.tag, `${member} has no literal op`);
      fields[i.tag] = i.fields;
      required[i.tag] = i.required;
    }
    assert.deepEqual(sorted(py.requests), sorted(fields));
    assert.deepEqual(sorted(py.requiredRequest), sorted(required));
  });

  it('answers: each op answers the fields of its TypeScript result, all of them always present', () => {
    const answers = get('AnalyzerAnswers');
    assert.deepEqual([...answers.fields].sort(), Object.keys(py.answers).sort(), 'AnalyzerAnswers covers every op');
    for (const op of answers.fields) {
      const result = get(answers.types[op]);
      assert.deepEqual([...py.answers[op]].sort(), [...result.fields].sort(), `answer of ${op}`);
      assert.deepEqual([...result.required].sort(), [...result.fields].sort(), `${answers.types[op]}: every field is always sent`);
    }
    assert.deepEqual(py.errorAnswer, get('ErrorAnswer').fields.filter((f) => f !== 'id' && f !== 'ok'));
  });

  it('records: the same names and fields on both sides, and every TypeScript interface is accounted for', () => {
    for (const [name, fields] of Object.entries(py.records)) {
      assert.deepEqual([...fields].sort(), [...get(name).fields].sort(), name);
    }
    const messages = new Set(['AnalyzerAnswers', 'ErrorAnswer', ...unionMembers('AnalyzerRequest')]);
    for (const name of Object.values(get('AnalyzerAnswers').types)) messages.add(name);
    const unaccounted = [...ifaces.keys()].filter((n) => !messages.has(n) && !(n in py.records));
    assert.deepEqual(unaccounted, [], 'interfaces of analyzer.ts that protocol.py does not declare');
  });

  it('nested records sit where the TypeScript field types say', () => {
    const holds = (owner: string, i: Iface): string[][] =>
      i.fields.flatMap((f) => Object.keys(py.records).filter((r) => new RegExp(`\\b${r}\\b`).test(i.types[f])).map((r) => [owner, f, r]));
    const answers = get('AnalyzerAnswers');
    const fromAnswers = answers.fields.flatMap((op) => holds(op, get(answers.types[op])));
    const fromRequests = unionMembers('AnalyzerRequest').flatMap((m) => holds(get(m).tag as string, get(m)));
    const fromRecords = Object.keys(py.records).flatMap((r) => holds(r, get(r)));
    const order = (rows: string[][]) => rows.map((r) => r.join(' ')).sort();
    assert.deepEqual(order(py.nested), order(fromAnswers));
    assert.deepEqual(order(py.nestedRequest), order(fromRequests));
    assert.deepEqual(order(py.nestedRecord), order(fromRecords));
  });

  describe('the live analyzer', () => {
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-aproto-'))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const solver = 'from dsl import *\nimport os\n\ndef solve_abcd1234(I):\n    x1 = first(objects(I, T, F, F))\n    O = fill(I, 1, x9)\n    return O\n';
    const batt = 'def batt(task_id, S, I, C, log_path):\n    o = []\n    o.append((1, False, "abcd1234", I))\n    return o\n';
    function requests(): AnalyzerRequestLine[] {
      return [
        { id: 1, op: 'parse', path: '/ws/s.py', source: solver + batt },
        { id: 2, op: 'parse', path: '/ws/s.py', source: solver, sources: false, incremental: false },
        { id: 3, op: 'parse', path: '/ws/bad.py', source: 'def solve_x(:\n' },
        { id: 4, op: 'canonical', items: [{ key: 'a', source: 'def solve_a(I):\n    return I\n' }, { key: 'b', source: 'x = 1\n' }] },
        { id: 5, op: 'lint', path: '/ws/s.py', source: solver, dslNames: ['first', 'objects', 'fill', 'T', 'F'] },
        { id: 6, op: 'names', path: '/ws/dsl.py', source: 'from constants import *\nONE = 1\ndef first(x):\n    return x\n' },
        { id: 7, op: 'precompile', prefix: path.join(tmp, 'pyc'), files: [{ path: path.join(tmp, 's.py'), source: solver }] },
        { id: 8, op: 'parseStats' },
      ];
    }

    it('answers every op with exactly the declared fields and records', () => {
      const reqs = requests();
      const check = python([PROTOCOL_PY, 'check'], reqs.map((r) => JSON.stringify({ request: r })).join('\n') + '\n').trim().split('\n');
      check.forEach((l, i) => assert.deepEqual((JSON.parse(l) as { problems: string[] }).problems, [], `request ${reqs[i].op}`));

      const answers = python(['-E', '-s', ANALYZE_PY], reqs.map((r) => JSON.stringify(r)).join('\n') + '\n').trim().split('\n');
      assert.equal(answers.length, reqs.length);
      const parsed = answers.map((a) => JSON.parse(a) as { id: number; ok: boolean; error?: string } & Record<string, unknown>);
      parsed.forEach((a, i) => {
        assert.equal(a.id, reqs[i].id);
        assert.equal(a.ok, true, a.error);
      });
      // The samples exercise the optional parts: sources, batt, syntax errors, per-item errors, problems, star imports.
      const [full, noSources, broken, canonical, lint, names, precompile] = parsed;
      assert.ok((full.functions as Array<{ source?: string }>)[0].source && full.batt);
      assert.equal((noSources.functions as Array<{ source?: string }>)[0].source, undefined);
      assert.ok(broken.syntaxError);
      assert.ok((canonical.items as Array<{ error?: string }>)[1].error);
      assert.ok((lint.problems as unknown[]).length >= 2);
      assert.deepEqual(names.starImports, [{ module: 'constants', level: 0 }]);
      assert.equal(precompile.written, 1);

      const lines = parsed.map((a, i) => JSON.stringify({ op: reqs[i].op, answer: a })).join('\n') + '\n';
      const out = python([PROTOCOL_PY, 'check'], lines).trim().split('\n');
      out.forEach((l, i) => assert.deepEqual((JSON.parse(l) as { problems: string[] }).problems, [], `answer to ${reqs[i].op}`));
    });

    it('a bad request gets an error answer of the declared shape, and the process keeps serving', () => {
      const lines = ['{"id": 1, "op": "frobnicate"}', '[1, 2]', '{"id": 3, "op": "names", "source": 5}', '{"id": 4, "op": "parseStats"}'];
      const out = python(['-E', '-s', ANALYZE_PY], lines.join('\n') + '\n').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(out.map((a) => [a.id, a.ok]), [[1, false], [null, false], [3, false], [4, true]]);
      assert.match(String(out[0].error), /unknown op 'frobnicate'/);
      assert.match(String(out[2].error), /source must be a string/);
      const ops: AnalyzerOp[] = ['parse', 'parse', 'names', 'parseStats'];
      const check = python([PROTOCOL_PY, 'check'], out.map((a, i) => JSON.stringify({ op: ops[i], answer: a })).join('\n') + '\n');
      for (const l of check.trim().split('\n')) assert.deepEqual((JSON.parse(l) as { problems: string[] }).problems, []);
    });
  });

  it('check_request / check_answer name what is wrong', () => {
    const bad = [
      { request: { id: 1, op: 'lint', dslNames: [], extra: 1 } },
      { request: { id: 2, op: 'nope' } },
      { request: { id: 3, op: 'canonical', items: [{ key: 'k', source: 's', junk: 0 }] } },
      { op: 'names', answer: { id: 4, ok: true, names: [], starImports: [{ module: 'm', level: 0, alias: 'x' }] } },
      { op: 'parse', answer: { id: 5, ok: false, error: 'x', detail: 'y' } },
    ];
    const out = python([PROTOCOL_PY, 'check'], bad.map((s) => JSON.stringify(s)).join('\n') + '\n').trim().split('\n');
    const problems = out.map((l) => (JSON.parse(l) as { problems: string[] }).problems.join('; '));
    assert.match(problems[0], /lint: missing field 'source'.*lint: unexpected field 'extra'/);
    assert.match(problems[1], /unknown op 'nope'/);
    assert.match(problems[2], /CanonicalInput: unexpected field 'junk'/);
    assert.match(problems[3], /names answer: missing field 'syntaxError'.*StarImport: unexpected field 'alias'/);
    assert.match(problems[4], /parse answer: unexpected field 'detail'/);
  });

  it('protocol.py parses as Python 3.8', () => {
    python(['-c', 'import ast, sys\nast.parse(open(sys.argv[1]).read(), sys.argv[1], feature_version=(3, 8))', PROTOCOL_PY]);
  });
});
