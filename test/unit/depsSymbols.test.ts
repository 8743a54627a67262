// The analyzer's symbol table (src/worker/analyzer/deps.py) through the parse op: which global names each top-level
// binding reads (scopes of Python: parameters, nested functions, lambdas, comprehensions, class bodies), hashes that
// ignore comments, blank lines and docstrings, what makes a module opaque, and an incremental re-parse equal to a
// fresh one.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { Analyzer } from '../../src/engine/workspace/analyzer';
import type { ModuleSymbols } from '../../src/protocol/analyzer';

const SCRIPT = path.resolve(__dirname, '../../src/worker/analyzer/analyze.py');

describe('deps.py symbol tables', function () {
  this.timeout(60000);
  let a: Analyzer;
  before(() => (a = new Analyzer({ python: process.env.BATT_PYTHON ?? 'python3', script: SCRIPT })));
  after(() => a.dispose());
  const symbols = async (source: string, p = '/ws/m.py'): Promise<ModuleSymbols> => (await a.parse(p, source)).symbols;
  const readsOf = (s: ModuleSymbols, name: string) => s.defs.find((d) => d.name === name)!.reads.slice().sort();

  it('reads only globals: parameters, locals, lambda and comprehension variables, nested defs are not reads', async () => {
    const s = await symbols(
      [
        'import dsl',
        'from consts import TWO as T2',
        'def f(x, y=DEFAULT) -> Grid:',
        '    z = first(x)',
        '    g = lambda v: v + OFFSET',
        '    w = [k for k in z if k in TABLE]',
        '    def inner(q):',
        '        return q + z + LATE',
        '    return dsl.rot90(inner(w)) + getattr(dsl, "last")(T2)',
        'class C(Base):',
        '    n = SIZE',
        '    def m(self):',
        '        return n',
        '',
      ].join('\n'),
    );
    assert.deepEqual(readsOf(s, 'f'), ['DEFAULT', 'Grid', 'LATE', 'OFFSET', 'T2', 'TABLE', 'dsl', 'dsl.last', 'dsl.rot90', 'first', 'getattr'].sort());
    // a class body's names are not visible in its methods: `n` there is a global read
    assert.deepEqual(readsOf(s, 'C'), ['Base', 'SIZE', 'n']);
    assert.deepEqual(s.defs.filter((d) => d.module !== undefined).map((d) => [d.name, d.module, d.imported]), [['dsl', 'dsl', undefined], ['T2', 'consts', 'TWO']]);
    assert.equal(s.opaque, null);
  });

  it('hashes ignore comments, blank lines and docstrings, and see any other change', async () => {
    const base = '"""Module."""\nX = 1\n\ndef f(a):\n    """Doc."""\n    return a + X\n';
    const same = '"""Other module doc."""\n# c\nX = 1  # one\n\n\n\ndef f(a):\n    # inside\n    return a + X\n';
    const other = '"""Module."""\nX = 1\n\ndef f(a):\n    """Doc."""\n    return X + a\n';
    const [b, s, o] = await Promise.all([symbols(base, '/ws/a.py'), symbols(same, '/ws/b.py'), symbols(other, '/ws/c.py')]);
    assert.equal(s.hash, b.hash);
    assert.deepEqual(s.defs.map((d) => d.hash), b.defs.map((d) => d.hash));
    assert.notEqual(o.hash, b.hash);
    assert.equal(o.defs[0].hash, b.defs[0].hash);
    assert.notEqual(o.defs[1].hash, b.defs[1].hash);
  });

  it('module-level code and dynamic lookups make a module opaque, with the line', async () => {
    const cases: Array<[string, RegExp, number]> = [
      ['X = {}\nfor k in range(3):\n    X[k] = k\n', /module-level `for` statement/, 2],
      ['X = {}\nX["a"] = 1\n', /assignment into a subscript/, 2],
      ['print("hi")\n', /module-level `expr` statement/, 1],
      ['def f():\n    return eval("1")\n', /eval\(\)/, 2],
      ['def f():\n    global N\n    N = 2\n', /`global N` written in f/, 1],
      ['import sys\ndef f():\n    return sys.modules\n', /sys\.modules/, 3],
    ];
    for (const [src, reason, line] of cases) {
      const s = await symbols(src, '/ws/o.py');
      assert.ok(s.opaque, src);
      assert.match(s.opaque.reason, reason, src);
      assert.equal(s.opaque.line, line, src);
    }
    const inert = await symbols('"""Doc."""\nX = 1\nif __name__ == "__main__":\n    print(X)\n');
    assert.equal(inert.opaque, null);
    const dyn = await symbols('import dsl\ndef f(n):\n    return getattr(dsl, n), dsl.__dict__\n');
    assert.deepEqual(dyn.dynamic.map((d) => [d.name, d.line, d.call]), [['dsl', 3, 'getattr'], ['dsl', 3, '__dict__']]);
  });

  it('a re-parse reusing unchanged chunks gives the same table as a fresh parse, lines shifted', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `def solve_${i}(I):\n    x1 = p${i % 7}(I)\n    return x1\n`).join('\n\n');
    await a.parse('/ws/inc.py', text);
    const edited = '# header\n\n' + text.replace('x1 = p3(I)', 'x1 = p3(p4(I))');
    const inc = (await a.parse('/ws/inc.py', edited)).symbols;
    const full = (await a.parse('/ws/other.py', edited)).symbols;
    assert.deepEqual(inc, full);
    assert.equal(inc.defs[0].line, 3);
  });
});
