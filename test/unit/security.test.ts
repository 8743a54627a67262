/**
 * Security checks that need no VS Code: the webview message gate (parseFromWebview), a static audit of how src/ starts
 * processes (argv only, never a shell), and the timing panel's Content-Security-Policy (the real `html()`, with a
 * minimal stand-in for the `vscode` module). The untrusted-workspace behaviour is tested in a real VS Code by
 * scripts/vscode-untrusted-tests.mjs.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import ts from 'typescript';
import { parseFromWebview } from '../../src/protocol/webview';

const ROOT = path.resolve(__dirname, '..', '..');

describe('security: parseFromWebview', () => {
  const valid: unknown[] = [
    { type: 'ready' },
    { type: 'restartWorkers' },
    { type: 'clearCache' },
    { type: 'showLog' },
    { type: 'openLocation', file: '/ws/solvers.py', line: 1 },
    { type: 'openLocation', file: '/ws/solvers.py', line: 120 },
    { type: 'runTask', taskId: '5e2b9d14' },
    { type: 'runTask', taskId: 'a.b_c-d' },
  ];

  it('accepts every valid message, returning an equal copy', () => {
    for (const m of valid) assert.deepStrictEqual(parseFromWebview(m), m, JSON.stringify(m));
  });

  it('drops non-objects', () => {
    for (const v of [undefined, null, 0, 1, true, 'ready', '{"type":"ready"}', [], [{ type: 'ready' }], () => 'ready', Symbol('ready'), 10n]) {
      assert.strictEqual(parseFromWebview(v), undefined, String(typeof v));
    }
  });

  it('drops unknown or mistyped types', () => {
    for (const v of [{}, { type: 'READY' }, { type: 'eval' }, { type: 'runAll' }, { type: 1 }, { type: null }, { type: ['ready'] }, { type: { toString: () => 'ready' } }, { type: '__proto__' }, { type: 'constructor' }]) {
      assert.strictEqual(parseFromWebview(v), undefined, JSON.stringify(v));
    }
  });

  it('drops messages with extra keys', () => {
    for (const m of valid) {
      for (const extra of [{ x: 1 }, { command: 'rm -rf /' }, { __proto__x: 1 }, { taskId: '5e2b9d14', file: '/x' }]) {
        const v = { ...(m as object), ...extra };
        if (Object.keys(v).length === Object.keys(m as object).length) continue; // same keys (e.g. taskId on runTask)
        assert.strictEqual(parseFromWebview(v), undefined, JSON.stringify(v));
      }
    }
  });

  it('drops wrong field types and out-of-range values', () => {
    const bad: unknown[] = [
      { type: 'openLocation', file: 42, line: 1 },
      { type: 'openLocation', file: '/x.py', line: '1' },
      { type: 'openLocation', file: '/x.py', line: 0 },
      { type: 'openLocation', file: '/x.py', line: -3 },
      { type: 'openLocation', file: '/x.py', line: 1.5 },
      { type: 'openLocation', file: '/x.py', line: NaN },
      { type: 'openLocation', file: '/x.py', line: Infinity },
      { type: 'openLocation', file: '/x.py' },
      { type: 'openLocation', line: 1 },
      { type: 'openLocation', file: ['/x.py'], line: 1 },
      { type: 'runTask' },
      { type: 'runTask', taskId: 5 },
      { type: 'runTask', taskId: null },
      { type: 'runTask', taskId: ['5e2b9d14'] },
    ];
    for (const v of bad) assert.strictEqual(parseFromWebview(v), undefined, JSON.stringify(v));
  });

  it('drops task ids that are paths, options or not plain names', () => {
    for (const taskId of ['../../x', '..', '../5e2b9d14', '5e2b9d14/..', 'a/b', 'a\\b', '/etc/passwd', '.hidden', '-rf', '--root=/', '', ' 5e2b9d14', '5e2b9d14\n', 'a..b', 'x;rm -rf /', '$(id)', 'tâche', 'a\0b']) {
      assert.strictEqual(parseFromWebview({ type: 'runTask', taskId }), undefined, JSON.stringify(taskId));
    }
  });

  it('drops huge strings', () => {
    assert.strictEqual(parseFromWebview({ type: 'runTask', taskId: 'a'.repeat(65) }), undefined);
    assert.ok(parseFromWebview({ type: 'runTask', taskId: 'a'.repeat(64) }), 'the longest accepted id');
    assert.strictEqual(parseFromWebview({ type: 'openLocation', file: '/' + 'x'.repeat(10_000_000), line: 1 }), undefined);
    assert.strictEqual(parseFromWebview({ type: 'openLocation', file: '/' + 'x'.repeat(4096), line: 1 }), undefined);
  });
});

//#region process audit

export interface Finding {
  file: string;
  line: number;
  what: string;
}

const CP_MODULES = new Set(['child_process', 'node:child_process']);
/** Functions that take (file, argv[, options]) and never run a shell unless asked to. */
const ARGV_FNS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork']);
const SHELL_FNS = new Set(['exec', 'execSync']);

/**
 * Findings in one TypeScript source: exec/execSync from child_process (named, namespace or require), argv functions
 * called without an argv array argument, and any `shell:` option that is not literally `false`.
 */
export function auditSource(file: string, text: string): Finding[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: Finding[] = [];
  const at = (n: ts.Node, what: string) => out.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, what });
  const named = new Map<string, string>(); // local name -> child_process export
  const namespaces = new Set<string>();
  const isCpRequire = (e: ts.Expression | undefined) =>
    !!e && ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments.length === 1 && ts.isStringLiteral(e.arguments[0]) && CP_MODULES.has(e.arguments[0].text);

  const collect = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && CP_MODULES.has(n.moduleSpecifier.text)) {
      const b = n.importClause?.namedBindings;
      if (n.importClause?.name) namespaces.add(n.importClause.name.text);
      if (b && ts.isNamespaceImport(b)) namespaces.add(b.name.text);
      if (b && ts.isNamedImports(b)) for (const el of b.elements) named.set(el.name.text, (el.propertyName ?? el.name).text);
    }
    if (ts.isVariableDeclaration(n) && isCpRequire(n.initializer)) {
      if (ts.isIdentifier(n.name)) namespaces.add(n.name.text);
      else if (ts.isObjectBindingPattern(n.name)) for (const el of n.name.elements) if (ts.isIdentifier(el.name)) named.set(el.name.text, el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text);
    }
    ts.forEachChild(n, collect);
  };
  collect(sf);

  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAssignment(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) && n.name.text === 'shell' && n.initializer.kind !== ts.SyntaxKind.FalseKeyword) {
      at(n, '`shell:` option that is not false');
    }
    if (ts.isShorthandPropertyAssignment(n) && n.name.text === 'shell') at(n, '`shell` option (shorthand)');
    if (ts.isCallExpression(n)) {
      const c = n.expression;
      let fn: string | undefined;
      if (ts.isIdentifier(c) && named.has(c.text)) fn = named.get(c.text);
      else if (ts.isPropertyAccessExpression(c) && ((ts.isIdentifier(c.expression) && namespaces.has(c.expression.text)) || isCpRequire(c.expression))) fn = c.name.text;
      if (fn && SHELL_FNS.has(fn)) at(n, `child_process.${fn} runs a shell command string`);
      else if (fn && ARGV_FNS.has(fn)) {
        const argv = n.arguments[1];
        if (!argv || !(ts.isArrayLiteralExpression(argv) || ts.isIdentifier(argv) || ts.isSpreadElement(argv) || ts.isCallExpression(argv))) at(n, `${fn} without an argv array`);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Findings in one Python source: subprocess with shell=True, os.system, os.popen. */
export function auditPython(file: string, text: string): Finding[] {
  const out: Finding[] = [];
  text.split('\n').forEach((l, i) => {
    const code = l.replace(/#.*$/, '');
    if (/\bshell\s*=\s*(?!False\b)/.test(code)) out.push({ file, line: i + 1, what: 'shell= that is not False' });
    if (/\bos\.(system|popen)\s*\(/.test(code)) out.push({ file, line: i + 1, what: 'os.system/os.popen runs a shell' });
  });
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '__pycache__' ? [] : sourceFiles(p);
    return /\.(ts|py)$/.test(e.name) ? [p] : [];
  });
}

describe('security: no shell anywhere in src/', () => {
  it('the audit catches every forbidden form (so a clean result means something)', () => {
    const cases: Array<[string, string]> = [
      ['named exec', `import { exec } from 'child_process'; exec('ls ' + dir);`],
      ['aliased execSync', `import { execSync as run } from 'node:child_process'; run(cmd);`],
      ['namespace exec', `import * as cp from 'child_process'; cp.exec('x');`],
      ['default import', `import cp from 'child_process'; cp.execSync('x');`],
      ['require exec', `const cp = require('child_process'); cp.exec('x');`],
      ['destructured require', `const { exec } = require('child_process'); exec('x');`],
      ['inline require', `require('child_process').exec('x');`],
      ['shell true', `import { spawn } from 'child_process'; spawn('python3', ['-c', 'x'], { shell: true });`],
      ['shell string', `import { spawn } from 'child_process'; spawn('python3', [], { shell: '/bin/sh' });`],
      ['shell shorthand', `import { execFile } from 'child_process'; const shell = true; execFile('x', [], { shell });`],
      ['spawn without argv', `import { spawn } from 'child_process'; spawn('python3 main.py --root ' + root);`],
      ['spawn options as argv', `import { spawn } from 'child_process'; spawn('python3 x', { cwd: '/' });`],
    ];
    for (const [name, src] of cases) assert.ok(auditSource(`${name}.ts`, src).length > 0, `not caught: ${name}`);
    const fine = `import { spawn, execFile } from 'child_process'; const m = /a/.exec(s); spawn(p, args, { shell: false }); execFile(p, ['-c', 'x'], cb);`;
    assert.deepStrictEqual(auditSource('fine.ts', fine), [], 'RegExp#exec and argv calls are fine');
    assert.strictEqual(auditPython('x.py', 'subprocess.run(cmd, shell=True)').length, 1);
    assert.strictEqual(auditPython('x.py', 'os.system("ls")').length, 1);
    assert.deepStrictEqual(auditPython('x.py', 'subprocess.run(argv, shell=False)  # shell=True is banned'), []);
  });

  it('src/ starts processes with an argv only: no shell, no exec/execSync', () => {
    const files = sourceFiles(path.join(ROOT, 'src'));
    assert.ok(files.some((f) => f.endsWith(path.join('engine', 'pool', 'workerProcess.ts'))), 'the audit reads the process-spawning code');
    const findings = files.flatMap((f) => {
      const text = fs.readFileSync(f, 'utf8');
      return f.endsWith('.py') ? auditPython(f, text) : auditSource(f, text);
    });
    assert.deepStrictEqual(findings.map((x) => `${path.relative(ROOT, x.file)}:${x.line}: ${x.what}`), []);
  });
});

//#endregion

//#region panel CSP

/** Just enough of the `vscode` module for panel.ts to load and render its HTML. */
function fakeVscode(): unknown {
  const uri = (p: string) => ({ fsPath: p, path: p, toString: () => `file://${p}` });
  return {
    Uri: { joinPath: (base: { path: string }, ...parts: string[]) => uri(path.posix.join(base.path, ...parts)), file: uri },
    window: {
      registerWebviewPanelSerializer: () => ({ dispose: () => undefined }),
      createOutputChannel: () => ({ info: () => undefined, error: () => undefined, show: () => undefined, dispose: () => undefined }),
    },
    ViewColumn: { One: 1, Beside: -2 },
  };
}

function panelHtml(): string {
  const fake = fakeVscode();
  const M = Module as unknown as { _load: (req: string, parent: unknown, isMain: boolean) => unknown };
  const load = M._load;
  M._load = function (req, parent, isMain) {
    return req === 'vscode' ? fake : load.call(this, req, parent, isMain);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Panel } = require('../../src/extension/panel') as typeof import('../../src/extension/panel');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PanelModel } = require('../../src/extension/panelModel') as typeof import('../../src/extension/panelModel');
    const ext = { path: '/ext', fsPath: '/ext' };
    const panel = new Panel(ext as never, new PanelModel(), () => undefined);
    const webview = { cspSource: 'vscode-webview-resource:', asWebviewUri: (u: { path: string }) => `vscode-webview-resource:${u.path}` };
    return (panel as unknown as { html(w: unknown): string }).html(webview);
  } finally {
    M._load = load;
  }
}

describe('security: timing panel CSP', () => {
  let html: string;
  let csp: Map<string, string[]>;

  before(() => {
    html = panelHtml();
    const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    assert.ok(m, `a CSP meta tag in:\n${html}`);
    csp = new Map(m[1].split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map((d) => [d[0], d.slice(1)]));
  });

  it("default-src 'none'", () => {
    assert.deepStrictEqual(csp.get('default-src'), ["'none'"]);
  });

  it('scripts only by nonce, and every script tag carries it', () => {
    const src = csp.get('script-src') ?? [];
    assert.strictEqual(src.length, 1, `script-src ${src.join(' ')}`);
    const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(src[0]);
    assert.ok(nonce, `a nonce source: ${src[0]}`);
    for (const d of csp.values()) assert.ok(!d.some((s) => /unsafe-(inline|eval)|^\*$|^data:|^blob:/.test(s)), `no unsafe source: ${d.join(' ')}`);
    const tags = html.match(/<script\b[^>]*>/g) ?? [];
    assert.ok(tags.length >= 1);
    for (const t of tags) assert.ok(t.includes(`nonce="${nonce[1]}"`), t);
    assert.notStrictEqual(panelHtml().match(/nonce-([^']+)/)?.[1], nonce[1], 'a fresh nonce per render');
  });

  it('no http: or https: URL, no inline handlers', () => {
    assert.ok(!/https?:/i.test(html), 'no http(s) URL in the panel HTML');
    assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handler');
    const source = fs.readFileSync(path.join(ROOT, 'src', 'extension', 'panel.ts'), 'utf8');
    assert.ok(!/https?:\/\//.test(source), 'no http(s) URL in panel.ts');
  });
});

//#endregion
