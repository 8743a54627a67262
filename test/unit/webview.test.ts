/**
 * The timing panel webview: render functions on sample RunJson / RunRecord / pool data in plain Node, then the real
 * bundle in headless Chromium under the panel's CSP (skipped when no Chromium is installed).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { build } from 'esbuild';
import type { PoolStatusParams, RunRecord, RunResultParams, TaskData } from '../../src/protocol/lsp';
import type { CandidateJson, PairJson, RunJson } from '../../src/protocol/results';
import type { StateMessage } from '../../src/protocol/webview';
import { diffCells, renderGrid } from '../../src/webview/grid';
import { renderPair } from '../../src/webview/pairView';
import { CHART, historyBars, renderHistory } from '../../src/webview/history';
import { renderLeaderboard } from '../../src/webview/leaderboard';
import { phaseRows, renderCache, renderPhases, runCaption } from '../../src/webview/phases';
import { byId, findAll, hasClass, textOf, type VNode } from '../../src/webview/vdom';
import { applyMessage, EMPTY_TEXT, renderPanel, restoreState } from '../../src/webview/view';
import { renderWorkers } from '../../src/webview/workers';
import { ARC_TRAINING } from '../arcPaths';

const ROOT = path.resolve(__dirname, '../..');
const TASK_FILE = path.join(ARC_TRAINING, '007bbfb7.json');
const XSS = '<img src=x onerror=alert(1)>';

function loadTask(): TaskData {
  const raw = JSON.parse(fs.readFileSync(TASK_FILE, 'utf8')) as Omit<TaskData, 'id'>;
  return { id: '007bbfb7', train: raw.train, test: raw.test };
}

function pair(kind: 'demo' | 'test', index: number, extra: Partial<PairJson> = {}): PairJson {
  return { kind, index, status: 'pass', ms: 1.5, ...extra };
}

function cand(name: string, rank: number, extra: Partial<CandidateJson> = {}): CandidateJson {
  return {
    name,
    file: '/ws/solvers/s.py',
    line: 10 + rank,
    hash: `h${rank}`,
    status: 'pass',
    solved: true,
    demo: { passed: 5, total: 5 },
    test: { passed: 1, total: 1, unknown: 0 },
    ms: 12.25,
    length: 3,
    rank,
    pairs: [],
    ...extra,
  };
}

function runJson(extra: Partial<RunJson> = {}): RunJson {
  return {
    version: 1,
    workspace: '/ws',
    startedAt: '2025-11-15T10:20:30.000Z',
    temperature: 'warm',
    cancelled: false,
    summary: { tasks: 3, solved: 1, candidates: 7, jobs: 12, ran: 9, cached: 3, skipped: 0, cancelled: 0, wallMs: 2000 },
    tasks: [],
    phases: [
      { name: 'startup', ms: 300 },
      { name: 'discover', ms: 100 },
      { name: 'inline', ms: 50 },
      { name: 'score', ms: 1200 },
      { name: 'store', ms: 150 },
      { name: 'unaccounted', ms: 200 },
    ],
    cache: { inline: { hits: 3, misses: 1, entries: 40, savedMs: 1234 }, validation: { hits: 1, misses: 3, entries: 9, savedMs: 87 } },
    pool: { workers: 4, restarts: 0, started: true, python: '3.11.6' },
    stored: [],
    errors: [],
    ...extra,
  };
}

/** A leaderboard for 007bbfb7 whose candidates arrive out of rank order. */
function leaderboard(): RunResultParams {
  const task = loadTask();
  const wrong = task.train[0].output.map((row) => [...row]);
  wrong[0][0] = wrong[0][0] === 3 ? 4 : 3;
  wrong[8][7] = wrong[8][7] === 3 ? 4 : 3;
  const alt = cand('solve_alt', 3, {
    solved: false,
    status: 'fail',
    demo: { passed: 0, total: 5 },
    pairs: [
      pair('demo', 0, { status: 'fail', actual: wrong, message: '2 cells differ' }),
      pair('demo', 1, { status: 'fail', actual: task.train[1].input, message: 'expected 9x9, got 3x3' }),
      pair('demo', 2, { status: 'error', message: 'ZeroDivisionError: division by zero' }),
      pair('demo', 3, { status: 'timeout', message: 'timeout: no result within 2 s (worker killed)' }),
      pair('test', 0),
    ],
  });
  const best = cand('solve_007bbfb7', 1, { pairs: [pair('demo', 0), pair('test', 0)] });
  const dup = cand('solve_copy', 2, { duplicateOf: 'solve_007bbfb7' });
  const evil = cand(XSS, 4, { solved: false, status: 'error', pairs: [pair('demo', 0, { status: 'error', message: '<b>boom</b>' })] });
  const run = runJson({ tasks: [{ id: '007bbfb7', file: TASK_FILE, solved: true, demoPairs: 5, testPairs: 1, candidates: [alt, evil, best, dup] }] });
  return { reason: 'task', taskId: '007bbfb7', run, task };
}

function record(i: number, temperature: RunRecord['temperature'], wallMs: number): RunRecord {
  const r = runJson();
  return {
    at: new Date(Date.UTC(2025, 10, 15, 10, i)).toISOString(),
    temperature,
    cancelled: false,
    summary: { ...r.summary, wallMs },
    phases: r.phases,
    cache: { inline: { hits: 1, misses: 1 }, validation: { hits: i, misses: 20 - i } },
    pool: { workers: 4, restarts: 0 },
  };
}

const POOL: PoolStatusParams = {
  state: 'busy',
  busy: 1,
  workers: 3,
  queued: 2,
  restarts: 1,
  python: 'Python 3.11.6',
  detail: [
    { id: 0, pid: 101, state: 'busy', job: 'solve_alt on 007bbfb7 demo 2', restarts: 0, jobsDone: 7 },
    { id: 1, pid: 102, state: 'idle', restarts: 0, jobsDone: 5 },
    { id: 2, state: 'dead', restarts: 1, jobsDone: 0 },
  ],
};

/** Rows of every tbody below `n`. */
function bodyRows(n: VNode): VNode[] {
  return findAll(n, (x) => x.tag === 'tbody').flatMap((b) => b.children);
}

function cells(tr: VNode): string[] {
  return tr.children.map(textOf);
}

describe('webview render', () => {
  it('phase rows: pipeline order, unaccounted explicit, shares add up to 100 and bar widths follow them', () => {
    const last: RunResultParams = { reason: 'save', run: runJson() };
    const { rows, totalMs } = phaseRows(last.run);
    assert.deepStrictEqual(rows.map((r) => r.name), ['startup', 'discover', 'inline', 'score', 'store', 'unaccounted']);
    assert.strictEqual(totalMs, 2000);
    assert.ok(Math.abs(rows.reduce((s, r) => s + r.share, 0) - 100) < 1e-9);
    const tree = renderPhases(last);
    const body = bodyRows(tree);
    assert.strictEqual(body.length, 6);
    assert.deepStrictEqual(cells(body[3]).slice(0, 3), ['score', '1.200', '60.0%']);
    assert.deepStrictEqual(cells(body[5]).slice(0, 3), ['unaccounted', '0.200', '10.0%']);
    const widths = findAll(tree, (n) => hasClass(n, 'bar')).map((n) => n.style?.width);
    assert.deepStrictEqual(widths, ['15.00%', '5.00%', '2.50%', '60.00%', '7.50%', '10.00%']);
    const total = findAll(tree, (n) => hasClass(n, 'total'))[0];
    assert.deepStrictEqual(cells(total).slice(0, 2), ['total', '2.000']);
    const caption = textOf(findAll(tree, (n) => n.tag === 'caption')[0]);
    assert.match(caption, /save/);
    assert.match(caption, /warm/);
    assert.match(caption, /3 tasks, solved 1, jobs 12 \(ran 9, 3 cached\)/);
  });

  it('computes unaccounted when a run lacks it and never lets shares exceed 100', () => {
    const run = runJson({ phases: [{ name: 'score', ms: 1500 }, { name: 'startup', ms: 100 }] });
    const { rows } = phaseRows(run);
    assert.deepStrictEqual(rows.map((r) => [r.name, r.ms]), [['startup', 100], ['score', 1500], ['unaccounted', 400]]);
    const over = phaseRows(runJson({ phases: [{ name: 'score', ms: 2100 }], summary: { ...run.summary, wallMs: 2000 } }));
    assert.ok(Math.abs(over.rows.reduce((s, r) => s + r.share, 0) - 100) < 1e-9);
  });

  it('counts: a hot run\'s jobs are its cache hits; cancelled and skipped shown when nonzero, as the CLI prints them', () => {
    const hot = runJson({ temperature: 'hot', summary: { ...runJson().summary, jobs: 1718, ran: 0, cached: 1718 } });
    assert.match(runCaption({ reason: 'save', run: hot }), /hot — 3 tasks, solved 1, jobs 1718 \(ran 0, 1718 cached\)$/);
    const partial = { ...runJson().summary, jobs: 80, ran: 20, cached: 2, cancelled: 58, skipped: 6 };
    assert.match(runCaption({ reason: 'save', run: runJson({ cancelled: true, summary: partial }) }), /warm \(cancelled after 22 of 80 jobs\) — /);
    const rec = { ...record(1, 'warm', 100), summary: partial };
    assert.strictEqual(cells(bodyRows(renderHistory([rec]))[0])[4], '80 (ran 20, 2 cached, 58 cancelled), 6 skipped');
    const old = { ...record(1, 'hot', 100), summary: { tasks: 3, solved: 1, candidates: 7, jobs: 0, ran: 0, wallMs: 100 } } as unknown as RunRecord;
    assert.strictEqual(cells(bodyRows(renderHistory([old]))[0])[4], '0 (ran 0, 0 cached)');
  });

  it('cache: hit rates, entries and measured time saved; "–" when a cache had no lookups', () => {
    const tree = renderCache(runJson());
    const [validation, inlining] = bodyRows(tree).map(cells);
    assert.deepStrictEqual(validation, ['validation', '1', '3', '25.0%', '9', '~0.09 s']);
    assert.deepStrictEqual(inlining, ['inlining', '3', '1', '75.0%', '40', '~1.23 s']);
    assert.match(textOf(tree), /time saved \(measured\)/);
    const none = renderCache(runJson({ cache: { inline: { hits: 0, misses: 0, entries: 0, savedMs: 0 }, validation: { hits: 0, misses: 0, entries: 0, savedMs: 0 } } }));
    assert.strictEqual(cells(bodyRows(none)[0])[3], '–');
  });

  it('leaderboard: ranked order, duplicate marking, location links, keyboard-selectable rows, Run again', () => {
    const tree = renderLeaderboard(leaderboard(), undefined);
    const rows = findAll(tree, (n) => n.tag === 'tr' && hasClass(n, 'candidate'));
    assert.deepStrictEqual(rows.map((r) => cells(r)[1]), ['solve_007bbfb7', 'solve_copy', 'solve_alt', XSS]);
    assert.deepStrictEqual(rows.map((r) => cells(r)[0]), ['1', '2', '3', '4']);
    const dup = cells(rows[1]);
    assert.strictEqual(dup[3], 'duplicate');
    assert.strictEqual(dup[7], 'solve_007bbfb7');
    assert.ok(hasClass(rows[1], 'status-duplicate'));
    assert.strictEqual(cells(rows[0])[7], '');
    assert.deepStrictEqual(cells(rows[2]).slice(3, 6), ['fail', '0/5', '1/1']);
    for (const r of rows) {
      assert.strictEqual(r.attrs.tabindex, '0');
      assert.deepStrictEqual(r.on, { kind: 'select', candidate: cells(r)[1] });
    }
    assert.deepStrictEqual(rows.map((r) => r.attrs['aria-selected']), ['true', 'false', 'false', 'false']);
    const link = findAll(rows[2], (n) => n.tag === 'button')[0];
    assert.strictEqual(textOf(link), 's.py:13');
    assert.deepStrictEqual(link.on, { kind: 'post', msg: { type: 'openLocation', file: '/ws/solvers/s.py', line: 13 } });
    const again = findAll(tree, (n) => n.tag === 'button' && textOf(n) === 'Run again')[0];
    assert.deepStrictEqual(again.on, { kind: 'post', msg: { type: 'runTask', taskId: '007bbfb7' } });
    // a stale selection falls back to the best; a live one sticks
    assert.match(textOf(byId(renderLeaderboard(leaderboard(), 'gone'), 'grid-diff')!), /Pairs of solve_007bbfb7/);
    assert.match(textOf(byId(renderLeaderboard(leaderboard(), 'solve_copy'), 'grid-diff')!), /Same program as solve_007bbfb7/);
  });

  it('grid diff marks exactly the differing cells and shows a shape mismatch', () => {
    const lb = leaderboard();
    const task = lb.task!;
    const expected = task.train[0].output;
    const actual = expected.map((r) => [...r]);
    actual[2][5] = (actual[2][5] + 1) % 10;
    actual[6][0] = (actual[6][0] + 1) % 10;
    assert.deepStrictEqual(diffCells(expected, actual), [[2, 5], [6, 0]]);
    assert.strictEqual(diffCells(expected, task.train[0].input), undefined);

    const tree = renderLeaderboard(lb, 'solve_alt');
    const diff = byId(tree, 'grid-diff')!;
    const pairs = findAll(diff, (n) => hasClass(n, 'pair'));
    assert.strictEqual(pairs.length, 4, 'the passing test pair is a thumbnail');
    // demo 0: two marked cells in the actual grid at (0,0) and (8,7), none in the input and expected grids
    const [in0, exp0, act0] = findAll(pairs[0], (n) => hasClass(n, 'grid'));
    assert.strictEqual(findAll(exp0, (n) => hasClass(n, 'diff')).length + findAll(in0, (n) => hasClass(n, 'diff')).length, 0);
    assert.ok(hasClass(act0, 'grid-actual'));
    const marked = act0.children.map((c, k) => (hasClass(c, 'diff') ? k : -1)).filter((k) => k >= 0);
    assert.deepStrictEqual(marked, [0, 8 * 9 + 7]);
    assert.strictEqual(act0.children.length, 81);
    assert.strictEqual(act0.style?.['grid-template-columns'], 'repeat(9, var(--cell))');
    const colours = exp0.children.map((c) => c.attrs.class.split(' ')[1]);
    assert.deepStrictEqual(colours.slice(0, 9), expected[0].map((v) => `c${v}`));
    assert.match(textOf(pairs[0]), /2 cells differ/);
    assert.match(textOf(pairs[0]), /List the 2 differing cells/);
    // demo 1: 3x3 actual against 9x9 expected; the message names both shapes, so it is the only shape line
    const act1 = findAll(pairs[1], (n) => hasClass(n, 'grid'))[2];
    assert.ok(hasClass(act1, 'shape-mismatch'));
    assert.match(textOf(pairs[1]), /expected 9x9, got 3x3/);
    assert.strictEqual(textOf(pairs[1]).split('expected 9x9, got 3x3').length, 2, 'said once');
    // error and timeout: message plus the input and expected grids; pass: a thumbnail
    for (const [k, re] of [[2, /ZeroDivisionError: division by zero/], [3, /timeout/]] as const) {
      assert.match(textOf(pairs[k]), re);
      const grids = findAll(pairs[k], (n) => hasClass(n, 'grid'));
      assert.deepStrictEqual(grids.map((g) => g.attrs['aria-label']), [`input of demo ${k}, 3x3`, `expected output of demo ${k}, 9x9`]);
    }
    assert.match(textOf(findAll(diff, (n) => hasClass(n, 'thumb'))[0]), /test 0 ✓ pass/);
  });

  it('a test pair without an expected output shows the actual grid and says so', () => {
    const task: TaskData = { id: 't', train: [], test: [{ input: [[1]], output: null }] };
    const tree = renderPair(pair('test', 0, { status: 'unknown', actual: [[1, 2]], message: 'expected output unknown' }), task);
    assert.match(textOf(tree), /expected output unknown/);
    const grids = findAll(tree, (n) => hasClass(n, 'grid'));
    assert.deepStrictEqual(grids.map((g) => g.attrs.class), ['grid grid-input', 'grid grid-actual']);
    assert.strictEqual(findAll(grids[1], (n) => hasClass(n, 'diff')).length, 0);
    assert.deepStrictEqual(findAll(renderGrid([[0, 12]], 'x'), (n) => hasClass(n, 'cell')).map((c) => c.attrs.class), ['cell c0', 'cell cx']);
  });

  it('text from user code stays text: no markup, no event attributes', () => {
    const tree = renderPanel({ data: { type: 'state', history: [], leaderboard: leaderboard() }, selected: XSS });
    assert.strictEqual(findAll(tree, (n) => n.tag === 'td' && textOf(n) === XSS).length, 1); // as text nodes (split at <wbr>)
    assert.strictEqual(textOf(byId(tree, 'grid-diff-h')!), `Pairs of ${XSS}`);
    assert.ok(findAll(tree, (n) => n.text === '<b>boom</b>').length === 1);
    assert.strictEqual(findAll(tree, (n) => n.tag === 'img' || n.tag === 'b' || n.tag === 'script' || n.tag === 'style').length, 0);
    const attrNames = findAll(tree, () => true).flatMap((n) => Object.keys(n.attrs));
    assert.ok(!attrNames.some((a) => /^on|^style$/i.test(a)), `no on*/style attributes: ${attrNames.filter((a) => /^on|^style$/.test(a))}`);
  });

  it('everything actionable is keyboard reachable', () => {
    const state: StateMessage = { type: 'state', history: [record(1, 'cold', 900)], pool: POOL, last: { reason: 'save', run: runJson() }, leaderboard: leaderboard() };
    const actionable = findAll(renderPanel({ data: state }), (n) => !!n.on);
    assert.ok(actionable.length >= 4 + 4 + 4);
    for (const n of actionable) assert.ok(n.tag === 'button' || n.attrs.tabindex === '0', `${n.tag} ${textOf(n)}`);
    for (const b of actionable.filter((n) => n.tag === 'button')) assert.strictEqual(b.attrs.type, 'button');
  });

  it('history: one bar per run with height by wall time and colour by temperature, table of the newest ten', () => {
    const history = Array.from({ length: 14 }, (_, i) => record(i, (['cold', 'warm', 'hot'] as const)[i % 3], 100 * (i + 1)));
    const bars = historyBars(history);
    assert.strictEqual(bars.length, 14);
    assert.strictEqual(bars[13].height, CHART.height - 1);
    assert.ok(Math.abs(bars[6].height - (CHART.height - 1) / 2) <= 1);
    // newest at the left, as the table under the chart lists them newest first
    assert.ok(bars.every((b, i) => i === 0 || b.x < bars[i - 1].x));
    const tree = renderHistory(history);
    const rects = findAll(tree, (n) => n.tag === 'rect' && n.svg === true && n.attrs.height !== '10');
    assert.strictEqual(rects.length, 14);
    assert.deepStrictEqual(rects.slice(0, 3).map((r) => r.attrs.class), ['temp-cold', 'temp-warm', 'temp-hot']);
    assert.strictEqual(rects[13].attrs.height, String(CHART.height - 1));
    assert.deepStrictEqual(findAll(tree, (n) => hasClass(n, 'legend'))[0].children.map(textOf), ['cold', 'warm', 'hot']);
    const rows = bodyRows(tree);
    assert.strictEqual(rows.length, 10);
    assert.deepStrictEqual(cells(rows[0]).slice(1), ['warm', '3', '1', '12 (ran 9, 3 cached)', '1.400', '65.0%']);
    assert.deepStrictEqual([cells(rows[9])[1], cells(rows[9])[5]], ['warm', '0.500']);
    assert.strictEqual(renderHistory([]).children.length, 2);
  });

  it('workers: states, python, buttons posting the pool actions', () => {
    const tree = renderWorkers(POOL);
    const rows = bodyRows(tree).map(cells);
    assert.deepStrictEqual(rows, [
      ['0', '101', 'busy on solve_alt on 007bbfb7 demo 2', '7', '0'],
      ['1', '102', 'idle', '5', '0'],
      ['2', '–', 'dead', '0', '1'],
    ]);
    assert.match(textOf(tree), /Python 3\.11\.6/);
    const posts = findAll(tree, (n) => n.tag === 'button').map((b) => [textOf(b), b.on]);
    assert.deepStrictEqual(posts, [
      ['Restart workers', { kind: 'post', msg: { type: 'restartWorkers' } }],
      ['Clear cache', { kind: 'post', msg: { type: 'clearCache' } }],
      ['Show log', { kind: 'post', msg: { type: 'showLog' } }],
    ]);
    assert.strictEqual(findAll(renderWorkers(undefined), (n) => n.tag === 'button').length, 3);
  });

  it('empty state, pool-only updates and restored state', () => {
    const empty = renderPanel({});
    assert.strictEqual(textOf(byId(empty, 'empty')!).includes(EMPTY_TEXT), true);
    assert.ok(byId(empty, 'workers'));
    assert.strictEqual(byId(empty, 'phases'), undefined);
    const s1 = applyMessage({}, { type: 'pool', pool: POOL });
    assert.deepStrictEqual(s1.data, { type: 'state', history: [], pool: POOL });
    const full: StateMessage = { type: 'state', history: [record(1, 'hot', 5)], last: { reason: 'save', run: runJson() } };
    const s2 = applyMessage(applyMessage({ selected: 'x' }, full), { type: 'pool', pool: POOL });
    assert.strictEqual(s2.selected, 'x');
    assert.strictEqual(s2.data?.last, full.last);
    const tree = renderPanel(s2);
    assert.deepStrictEqual(findAll(tree, (n) => n.tag === 'section').map((n) => n.attrs.id), ['phases', 'cache', 'history', 'workers']);
    assert.deepStrictEqual(restoreState(undefined), {});
    assert.deepStrictEqual(restoreState({ data: { type: 'nope' }, selected: 3 }), {});
    assert.deepStrictEqual(restoreState(JSON.parse(JSON.stringify(s2))), JSON.parse(JSON.stringify(s2)));
  });
});

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => !!p && fs.existsSync(p));

/** The page panel.ts builds, with the same CSP; `src` plays the role of `webview.cspSource`. */
function panelHtml(src: string, nonce: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${src}; script-src 'nonce-${nonce}'; img-src ${src}">
<link rel="stylesheet" href="${src}/panel.css"><title>batt</title></head>
<body><div id="root"></div><script nonce="${nonce}" src="${src}/webview.js"></script></body></html>`;
}

/** Stands in for VS Code's webview host: acquireVsCodeApi with state kept in sessionStorage across reloads. */
const HOST_STUB = `
window.__posted = []; window.__violations = []; window.__errors = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
let acquired = false;
window.acquireVsCodeApi = () => {
  if (acquired) throw new Error('acquireVsCodeApi called twice');
  acquired = true;
  return {
    postMessage: (m) => window.__posted.push(m),
    getState: () => { const s = sessionStorage.getItem('state'); return s ? JSON.parse(s) : undefined; },
    setState: (s) => { sessionStorage.setItem('state', JSON.stringify(s)); return s; },
  };
};`;

describe('webview bundle in Chromium under the panel CSP', function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-webview-'));
  let server: http.Server | undefined;
  let origin = '';
  // playwright-core is loaded lazily so the render tests above do not depend on it
  type PW = typeof import('playwright-core');
  let browser: Awaited<ReturnType<PW['chromium']['launch']>> | undefined;

  before(async function () {
    if (!CHROMIUM) this.skip();
    await build({ entryPoints: [path.join(ROOT, 'src/webview/main.ts')], bundle: true, format: 'iife', platform: 'browser', outfile: path.join(dir, 'webview.js'), logLevel: 'silent' });
    const bundle = fs.readFileSync(path.join(dir, 'webview.js'), 'utf8');
    assert.ok(!/innerHTML|outerHTML|insertAdjacentHTML|\beval\(/.test(bundle), 'bundle builds no HTML from strings');
    const files: Record<string, [string, string]> = {
      '/webview.js': [path.join(dir, 'webview.js'), 'text/javascript'],
      '/panel.css': [path.join(ROOT, 'media/panel.css'), 'text/css'],
    };
    server = http.createServer((req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(panelHtml(origin, 'n0nce'));
        return;
      }
      const f = files[req.url ?? ''];
      if (!f) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': f[1] }).end(fs.readFileSync(f[0]));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const { chromium } = (await import('playwright-core')) as PW;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('posts ready, renders state messages as DOM with no CSP violation, and is driven by keyboard', async () => {
    const page = await browser!.newPage();
    await page.addInitScript(HOST_STUB);
    await page.goto(origin);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0, undefined, { timeout: 20000 });
    const posted = () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
    assert.deepStrictEqual(await posted(), [{ type: 'ready' }]);
    assert.match((await page.textContent('#empty')) ?? '', /Save a solver file/);

    const state: StateMessage = { type: 'state', history: [record(1, 'cold', 900), record(2, 'hot', 30)], pool: POOL, last: { reason: 'save', run: runJson() }, leaderboard: leaderboard() };
    await page.evaluate((m) => window.postMessage(m, '*'), state);
    await page.waitForSelector('#leaderboard tr.candidate', { timeout: 20000 });
    assert.strictEqual(await page.locator('#empty').count(), 0);
    // the panel opens on the leaderboard; timing and caches are their own tab
    await page.getByRole('tab', { name: 'Timing & caches' }).click();
    await page.waitForSelector('#phases', { timeout: 20000 });
    assert.strictEqual(await page.locator('#phases tbody tr').count(), 6);
    // CSSOM widths survive the CSP, and the stylesheet loaded (ARC colour of a cell)
    const score = await page.locator('#phases .bar.phase-score').evaluate((el) => [el.getBoundingClientRect().width, el.parentElement!.getBoundingClientRect().width]);
    assert.ok(score[1] > 0 && Math.abs(score[0] / score[1] - 0.6) < 0.02, `score bar ${score}`);
    await page.getByRole('tab', { name: /^Leaderboard/ }).click();
    await page.waitForSelector('#leaderboard tr.candidate', { timeout: 20000 });
    assert.strictEqual(await page.locator('#grid-diff .cell.c0').first().evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(0, 0, 0)');
    // user text is text
    assert.strictEqual(await page.locator('#leaderboard tr.candidate td.name').nth(3).textContent(), XSS);
    assert.strictEqual(await page.locator('img, b').count(), 0);

    await page.getByRole('button', { name: 'Restart workers' }).click();
    await page.locator('#leaderboard tr.candidate').nth(2).getByRole('button').click();
    const msgs = await posted();
    assert.deepStrictEqual(msgs.slice(1), [{ type: 'restartWorkers' }, { type: 'openLocation', file: '/ws/solvers/s.py', line: 13 }]);
    assert.strictEqual(await page.locator('#leaderboard tr.candidate[aria-selected="true"] td.name').textContent(), 'solve_007bbfb7', 'the link did not select its row');

    // keyboard: focus the first row, ArrowDown twice, Enter selects solve_alt and shows its two marked cells
    await page.locator('#leaderboard tr.candidate').first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('grid-diff-h')?.textContent === 'Pairs of solve_alt', undefined, { timeout: 20000 });
    assert.strictEqual(await page.locator('#grid-diff .pair').first().locator('.cell.diff').count(), 2);
    const focused = await page.evaluate(() => [document.activeElement?.getAttribute('data-key'), getComputedStyle(document.activeElement!).outlineStyle]);
    assert.deepStrictEqual(focused, ['row:solve_alt', 'solid'], 'focus stays on the selected row with a visible outline');
    await page.keyboard.press('Space');
    await page.locator('#leaderboard').getByRole('button', { name: 'Run again' }).press('Enter');
    assert.deepStrictEqual((await posted()).slice(-1), [{ type: 'runTask', taskId: '007bbfb7' }]);

    // a pool update keeps everything else; hiding and showing (reload) restores the state and the selection
    await page.evaluate(() => ((document.getElementById('leaderboard') as HTMLElement & { marked?: boolean }).marked = true));
    await page.evaluate((pool) => window.postMessage({ type: 'pool', pool }, '*'), { ...POOL, python: 'Python 3.8.10' });
    await page.waitForFunction(() => document.getElementById('workers')?.textContent?.includes('3.8.10'), undefined, { timeout: 20000 });
    assert.strictEqual(await page.evaluate(() => (document.getElementById('leaderboard') as HTMLElement & { marked?: boolean }).marked), true, 'a pool update re-renders #workers only');
    await page.reload();
    await page.waitForSelector('#leaderboard tr.candidate', { timeout: 20000 });
    assert.strictEqual(await page.textContent('#grid-diff-h'), 'Pairs of solve_alt');
    assert.match((await page.textContent('#workers')) ?? '', /3\.8\.10/);

    const problems = await page.evaluate(() => {
      const w = window as unknown as { __violations: string[]; __errors: string[] };
      return [...w.__violations, ...w.__errors];
    });
    assert.deepStrictEqual(problems, []);
    await page.close();
  });
  it('pair view: cells fit the width, zoom and diff only are remembered, thumbnails expand, grids copy', async () => {
    const page = await browser!.newPage({ viewport: { width: 640, height: 900 } });
    await page.addInitScript(HOST_STUB);
    await page.goto(origin);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0, undefined, { timeout: 20000 });
    const state: StateMessage = { type: 'state', history: [], leaderboard: leaderboard() };
    await page.evaluate((m) => window.postMessage(m, '*'), state);
    await page.locator('#leaderboard tr.candidate[data-key="row:solve_alt"] td.name').click();
    await page.waitForFunction(() => document.getElementById('grid-diff-h')?.textContent === 'Pairs of solve_alt', undefined, { timeout: 20000 });
    const first = page.locator('#grid-diff .pair').first();
    /** cell size of demo 0's actual grid, and whether its row of grids overflows sideways */
    const measure = () =>
      first.evaluate((p) => {
        const cell = p.querySelector('.grid-actual .cell')!.getBoundingClientRect().width;
        const row = p.querySelector('.grids')!;
        return { cell, overflows: row.scrollWidth > row.clientWidth + 1, right: Math.max(...Array.from(p.querySelectorAll('.grid')).map((g) => g.getBoundingClientRect().right)) };
      });
    // input 3x3 | expected 9x9 | actual 9x9: 21 columns share the width, no sideways scrolling
    const fit = await measure();
    assert.ok(fit.cell >= 4 && fit.cell < 32 && !fit.overflows && fit.right <= 640, JSON.stringify(fit));
    await page.setViewportSize({ width: 480, height: 900 });
    const narrow = await measure();
    assert.ok(narrow.cell < fit.cell && !narrow.overflows && narrow.right <= 480, JSON.stringify(narrow));
    // the actual colour stays visible under the mark
    const diffCell = first.locator('.grid-actual .cell.diff').first();
    const [cls, bg] = await diffCell.evaluate((el): [string, string] => [el.className, getComputedStyle(el).backgroundColor]);
    assert.match(cls, /\bc[34]\b/);
    assert.strictEqual(bg, cls.includes('c3') ? 'rgb(46, 204, 64)' : 'rgb(255, 220, 0)');

    await page.locator('[data-key="zoom:in"]').click();
    await page.waitForFunction(() => document.querySelector('#grid-diff .zoom-level')?.textContent === '150%', undefined, { timeout: 20000 });
    const zoomed = await measure();
    assert.ok(Math.abs(zoomed.cell / narrow.cell - 1.5) < 0.1, `${zoomed.cell} vs ${narrow.cell}`);
    assert.strictEqual(await page.evaluate(() => document.activeElement?.getAttribute('data-key')), 'zoom:in', 'focus stays on the control');
    // the right cells fade (a shadow of the background over them), the differing ones keep their colour and ring
    const looks = () =>
      first.locator('.grid-actual .cell').evaluateAll((cs) => [...new Set(cs.map((c) => `${c.classList.contains('diff') ? 'diff' : 'same'}:${/rgb\(255, 255, 255\)/.test(getComputedStyle(c).boxShadow) ? 'ring' : getComputedStyle(c).boxShadow === 'none' ? 'plain' : 'faded'}`))].sort());
    assert.deepStrictEqual(await looks(), ['diff:ring', 'same:plain']);
    await page.locator('[data-key="diff-only"]').press('Enter');
    await page.waitForSelector('#grid-diff.diff-only', { timeout: 20000 });
    assert.deepStrictEqual(await looks(), ['diff:ring', 'same:faded']);

    // the passing test pair is a thumbnail; Enter expands it in place and keeps the focus on it
    assert.strictEqual(await page.locator('#grid-diff .pair').count(), 4);
    await page.locator('#grid-diff .thumb').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#grid-diff .pair').length === 5, undefined, { timeout: 20000 });
    assert.match((await page.evaluate(() => document.activeElement?.getAttribute('data-key'))) ?? '', /^thumb:solve_alt\/test:0$/);
    // hover text of a cell, in its title and at once in the status line under the grids; Copy posts the grid
    assert.strictEqual(await first.locator('.grid-input .cell').first().getAttribute('title'), 'row 0, col 0: input 0 black');
    await first.locator('.grid-actual .cell').nth(8 * 9 + 7).hover();
    const hovered = 'row 8, col 7: expected 7 orange, actual 3 green';
    await page.waitForFunction((t) => document.querySelector('#grid-diff .pair .cell-status')?.textContent === t, hovered, { timeout: 20000 });
    await first.locator('button.copy-grid').first().click();
    const posted = await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
    assert.deepStrictEqual(posted.slice(-1), [{ type: 'copyGrid', grid: loadTask().train[0].input }]);

    // hide and show: zoom, diff only and the expanded pair are remembered
    await page.reload();
    await page.waitForSelector('#grid-diff.diff-only', { timeout: 20000 });
    assert.strictEqual(await page.textContent('#grid-diff .zoom-level'), '150%');
    assert.strictEqual(await page.locator('#grid-diff .pair').count(), 5);
    const problems = await page.evaluate(() => {
      const w = window as unknown as { __violations: string[]; __errors: string[] };
      return [...w.__violations, ...w.__errors];
    });
    assert.deepStrictEqual(problems, []);
    await page.close();
  });

  it('a show with a pair ("Show pair N in the batt panel") scrolls it into view, focuses its row, answers pairShown', async () => {
    const page = await browser!.newPage({ viewport: { width: 640, height: 400 } });
    await page.addInitScript(HOST_STUB);
    await page.goto(origin);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0, undefined, { timeout: 20000 });
    const answers = () => page.evaluate(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.filter((m) => m.type === 'pairShown'));
    const pair = { candidate: 'solve_alt', kind: 'demo' as const, index: 3 };
    const state: StateMessage = { type: 'state', history: [], leaderboard: leaderboard(), show: { view: 'leaderboard', seq: 1, pair } };
    await page.evaluate((m) => window.postMessage(m, '*'), state);
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'pairShown'), undefined, { timeout: 20000 });
    assert.deepStrictEqual(await answers(), [{ type: 'pairShown', found: true, ...pair }]);
    const seen = await page.evaluate(() => {
      const el = Array.from(document.querySelectorAll('[data-key]')).find((e) => e.getAttribute('data-key') === 'pair:solve_alt/demo:3')!;
      return { top: el.getBoundingClientRect().top, height: window.innerHeight, scrolled: window.scrollY, focus: document.activeElement?.getAttribute('data-key') };
    });
    assert.ok(seen.scrolled > 0 && seen.top >= -1 && seen.top < seen.height / 2, `the pair at the top of the view: ${JSON.stringify(seen)}`);
    assert.strictEqual(seen.focus, 'row:solve_alt');
    assert.strictEqual(await page.textContent('#grid-diff-h'), 'Pairs of solve_alt');
    // a pair the leaderboard does not have: the host is told
    await page.evaluate((m) => window.postMessage(m, '*'), { ...state, show: { view: 'leaderboard', seq: 2, pair: { ...pair, candidate: 'solve_gone' } } });
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.filter((m) => m.type === 'pairShown').length > 1, undefined, { timeout: 20000 });
    assert.deepStrictEqual((await answers())[1], { type: 'pairShown', found: false, ...pair, candidate: 'solve_gone' });
    await page.close();
  });

  it('at scale: 400 rows paged, typed and selected filters, header sorts, tabs, task rows, progress', async () => {
    const page = await browser!.newPage({ viewport: { width: 900, height: 900 } });
    await page.addInitScript(HOST_STUB);
    await page.goto(origin);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0, undefined, { timeout: 20000 });
    const posted = () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
    // a run going on: its progress, not "No run yet"; a second update replaces the line
    await page.evaluate(() => window.postMessage({ type: 'progress', progress: { reason: 'task', taskId: '007bbfb7', done: 3, total: 400 } }, '*'));
    await page.waitForSelector('#progress', { timeout: 20000 });
    assert.strictEqual(await page.locator('#empty').count(), 0);
    await page.evaluate(() => window.postMessage({ type: 'progress', progress: { reason: 'task', taskId: '007bbfb7', done: 200, total: 400 } }, '*'));
    await page.waitForFunction(() => document.querySelector('#progress progress')?.getAttribute('value') === '200', undefined, { timeout: 20000 });
    assert.match((await page.textContent('#progress')) ?? '', /200 of 400 jobs \(50%\)/);

    const lb = leaderboard();
    const many = Array.from({ length: 400 }, (_, i) => cand(`solve_${String(i).padStart(3, '0')}`, i + 1, { solved: i % 100 === 0, status: i % 100 === 0 ? 'pass' : 'fail', ms: i % 17 }));
    lb.run.tasks[0].candidates = many;
    const tasks = Array.from({ length: 120 }, (_, i) => ({ id: `t${String(i).padStart(3, '0')}`, solved: i % 2 === 0, candidates: 3, best: `solve_${i}`, passed: i % 4, pairs: 4, credit: (i % 10) / 10, at: lb.run.startedAt, reason: 'manual' as const }));
    const state: StateMessage = { type: 'state', history: [], last: lb, leaderboard: lb, tasks, show: { view: 'leaderboard', seq: 1 } };
    await page.evaluate((m) => window.postMessage(m, '*'), state);
    await page.waitForSelector('#leaderboard tr.candidate', { timeout: 20000 });
    assert.strictEqual(await page.locator('#progress').count(), 0, 'the state without progress: the run is over');
    assert.strictEqual(await page.locator('#leaderboard tr.candidate').count(), 50);
    assert.strictEqual(await page.locator('#leaderboard tr.pairs-row').count(), 1);
    // typing filters as you type and keeps the caret in the box; the status select narrows further
    const box = page.locator('input[data-key="lb.text"]');
    await box.click();
    await page.keyboard.type('solve_1');
    await page.waitForFunction(() => document.querySelectorAll('#leaderboard tr.candidate').length === 50 && document.querySelector('[data-key="lb.count"]')?.textContent === '100 of 400 candidates', undefined, { timeout: 20000 });
    const focus = await page.evaluate(() => [document.activeElement?.getAttribute('data-key'), (document.activeElement as HTMLInputElement).selectionStart]);
    assert.deepStrictEqual(focus, ['lb.text', 7]);
    await page.selectOption('select[data-key="lb.status"]', 'solved');
    await page.waitForFunction(() => document.querySelectorAll('#leaderboard tr.candidate').length === 1, undefined, { timeout: 20000 });
    assert.strictEqual(await page.locator('#leaderboard tr.candidate td.name').textContent(), 'solve_100');
    await page.selectOption('select[data-key="lb.status"]', 'all');
    await box.fill('');
    await page.waitForFunction(() => document.querySelector('[data-key="lb.count"]')?.textContent === '400 candidates', undefined, { timeout: 20000 });
    // a header click sorts (aria-sort), a second one turns the order; the pager goes on
    await page.locator('[data-key="lb.sort:ms"]').click();
    await page.waitForFunction(() => document.querySelector('[data-key="lb.sort:ms"]')?.closest('th')?.getAttribute('aria-sort') === 'ascending', undefined, { timeout: 20000 });
    await page.locator('[data-key="lb.sort:ms"]').click();
    await page.waitForFunction(() => document.querySelector('[data-key="lb.sort:ms"]')?.closest('th')?.getAttribute('aria-sort') === 'descending', undefined, { timeout: 20000 });
    assert.strictEqual(await page.locator('#leaderboard tr.candidate').first().locator('td').nth(6).textContent(), '16.0');
    await page.locator('[data-key="lb.next"]').click();
    await page.waitForFunction(() => /51–100 of 400/.test(document.querySelector('.pager')?.textContent ?? ''), undefined, { timeout: 20000 });
    // the tasks tab: unsolved first; a row posts openTask
    await page.getByRole('tab', { name: 'Tasks (120)' }).click();
    await page.waitForSelector('#tasks tr.task', { timeout: 20000 });
    assert.strictEqual(await page.locator('#tasks tr.task').first().locator('td').nth(1).textContent(), 'unsolved');
    await page.locator('#tasks tr.task').first().click();
    assert.deepStrictEqual((await posted()).slice(-1), [{ type: 'openTask', taskId: 't019' }]);
    // the tab and the sorts survive a reload; the host's next show (the opened task) brings the leaderboard back
    await page.reload();
    await page.waitForSelector('#tasks tr.task', { timeout: 20000 });
    await page.evaluate((m) => window.postMessage(m, '*'), { ...state, show: { view: 'leaderboard' as const, seq: 2 } });
    await page.waitForSelector('#leaderboard tr.candidate', { timeout: 20000 });
    assert.strictEqual(await page.locator('[data-key="lb.sort:ms"]').evaluate((b) => b.closest('th')?.getAttribute('aria-sort')), 'descending');
    await page.close();
  });
});
