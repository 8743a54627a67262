/**
 * The Trace tab in headless Chromium under the panel's CSP (skipped when no Chromium is installed): a 20-line solver
 * on 5 pairs in a narrow panel scrolls instead of clipping a column, keeps its line column and its pairs' row in view
 * (sticky), opens a cell full size in the panel's width, copies its grid, and keeps the open cell across a reload.
 * Page code is passed as strings: this file is type-checked without the DOM library.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { build } from 'esbuild';
import type { TraceJson, TraceLine, TraceValue } from '../../src/protocol/trace';
import type { StateMessage } from '../../src/protocol/webview';

const ROOT = path.resolve(__dirname, '../..');
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => !!p && fs.existsSync(p));

/** A 20-line solver on 4 demo pairs and a test pair, inputs 10x10 to 22x22; demo 3 fails, the test pair raises at line 23. */
function longTrace(): TraceJson {
  const sides = [10, 14, 18, 12, 22];
  const inputs = sides.map((n, p) => Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => ((r * 7 + c * 3 + p) % 11 === 0 ? 3 : (r + c) % 9 === 0 ? 5 : 0))));
  const lines: TraceLine[] = Array.from({ length: 20 }, (_, i) => {
    const values: TraceValue[] = [];
    inputs.forEach((input, pair) => {
      if (pair === 4 && i > 13) return;
      if (pair === 4 && i === 13) return void values.push({ pair, type: 'other', summary: '', error: 'IndexError: tuple index out of range' });
      if (pair === 3 && i === 4) return void values.push({ pair, type: 'other', size: 0, summary: '∅', repr: 'frozenset()' });
      const n = input.length;
      const cells = input.flatMap((row, r) => row.flatMap((c, k): Array<[number, number, number]> => (c === 3 ? [[r, k, i % 2 ? 3 : -1]] : [])));
      if (i % 4 === 0) values.push({ pair, type: 'grid', shape: [n, n], summary: `${n}x${n}`, grid: input.map((row) => row.map((c) => (c === 0 ? (i + pair) % 10 : c))) });
      else if (i % 4 === 1) values.push({ pair, type: 'objects', size: cells.length, summary: `${cells.length} obj`, cells, shape: [n, n] });
      else if (i % 4 === 2) values.push({ pair, type: 'indices', size: cells.length, summary: `${cells.length} idx`, cells: cells.map(([r, c]) => [r, c, -1]), shape: [n, n] });
      else values.push({ pair, type: 'tuple', size: 2, summary: `(${n}, ${n + pair})`, repr: `(${n}, ${n + pair})` });
    });
    return { line: 10 + i, name: `x${i + 1}`, source: `x${i + 1} = some_dsl_function(I, x${i}, argument_${i})`, values, divergent: i === 4 };
  });
  const status = ['pass', 'pass', 'pass', 'fail', 'error'] as const;
  return { solver: 'solve_long', task: 'long', file: '/ws/solvers.py', pairs: inputs.map((input, i) => ({ kind: i < 4 ? 'demo' : 'test', index: i < 4 ? i : 0, status: status[i], input })), lines, ms: 20 };
}

function panelHtml(src: string, nonce: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${src}; script-src 'nonce-${nonce}'; img-src ${src}">
<link rel="stylesheet" href="${src}/panel.css"><title>batt</title></head>
<body><div id="root"></div><script nonce="${nonce}" src="${src}/webview.js"></script></body></html>`;
}

/** VS Code's webview host: acquireVsCodeApi with the state kept in sessionStorage across reloads. */
const HOST_STUB = `
window.__posted = []; window.__violations = []; window.__errors = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(m),
  getState: () => { const s = sessionStorage.getItem('state'); return s ? JSON.parse(s) : undefined; },
  setState: (s) => { sessionStorage.setItem('state', JSON.stringify(s)); return s; },
});`;

/** Boxes of the scroll box, the header cells and the first row's cells, in the page (after `scroll`). */
const MEASURE = `(() => {
  const box = document.querySelector('.trace-scroll');
  const r = (e) => { const b = e.getBoundingClientRect(); return { left: b.left, right: b.right, top: b.top, bottom: b.bottom }; };
  const at = (x, y) => { const e = document.elementFromPoint(x, y); return e ? (e.closest('thead') ? 'head' : e.closest('.trace-src') ? 'src' : e.closest('td') ? 'cell' : e.tagName) : 'none'; };
  const b = r(box);
  const firstRow = document.querySelector('tbody tr.trace-row');
  return {
    box: b, scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, scrollHeight: box.scrollHeight, clientHeight: box.clientHeight,
    heads: Array.from(document.querySelectorAll('thead th')).map(r),
    overflowing: Array.from(document.querySelectorAll('.trace-table td, .trace-table th')).filter((c) => c.scrollWidth > c.clientWidth + 1).length,
    leftEdge: at(b.left + 8, r(firstRow).top + 8), topEdge: at(b.right - 20, b.top + 6),
  };
})()`;

/** The page code that posts a host message to the webview. */
function post(m: StateMessage): string {
  return `window.postMessage(${JSON.stringify(m)}, '*')`;
}

interface Measure {
  box: { left: number; right: number; top: number; bottom: number };
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  heads: Array<{ left: number; right: number }>;
  overflowing: number;
  leftEdge: string;
  topEdge: string;
}

describe('trace view in Chromium under the panel CSP', function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-trace-'));
  let server: http.Server | undefined;
  let origin = '';
  type PW = typeof import('playwright-core');
  let browser: Awaited<ReturnType<PW['chromium']['launch']>> | undefined;

  before(async function () {
    if (!CHROMIUM) this.skip();
    await build({ entryPoints: [path.join(ROOT, 'src/webview/main.ts')], bundle: true, format: 'iife', platform: 'browser', outfile: path.join(dir, 'webview.js'), logLevel: 'silent' });
    const files: Record<string, [string, string]> = { '/webview.js': [path.join(dir, 'webview.js'), 'text/javascript'], '/panel.css': [path.join(ROOT, 'media/panel.css'), 'text/css'] };
    server = http.createServer((req, res) => {
      if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(panelHtml(origin, 'n0nce'));
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

  it('a 20-line solver on 5 pairs in a 640 px panel: scrolls, no column clipped, line column and pairs row stay', async () => {
    const page = await browser!.newPage({ viewport: { width: 640, height: 800 } });
    await page.addInitScript(HOST_STUB);
    await page.goto(origin);
    await page.waitForFunction('window.__posted.length > 0', undefined, { timeout: 20000 });
    const state: StateMessage = { type: 'state', history: [], trace: longTrace(), show: { view: 'trace', seq: 1 } };
    await page.evaluate(post(state));
    await page.waitForSelector('#trace table.trace-table', { timeout: 20000 });
    assert.strictEqual(await page.locator('#trace tbody tr.trace-row').count(), 20);
    const measure = () => page.evaluate<Measure>(MEASURE);
    const m0 = await measure();
    assert.strictEqual(m0.heads.length, 6);
    assert.ok(m0.scrollWidth > m0.clientWidth && m0.box.right <= 640, `wider than the panel: the box scrolls sideways ${JSON.stringify(m0.box)}`);
    assert.strictEqual(m0.overflowing, 0, 'no cell cuts its content');
    // scrolled to the far right, every pair's column can be seen whole, and the line column is still at the left
    await page.evaluate("document.querySelector('.trace-scroll').scrollLeft = 1e6");
    const m1 = await measure();
    const last = m1.heads[m1.heads.length - 1];
    assert.ok(last.right <= m1.box.right + 1 && last.left >= m1.heads[0].right - 1, `the last column in view: ${JSON.stringify([last, m1.box])}`);
    assert.ok(Math.abs(m1.heads[0].left - m1.box.left) <= 2, 'the line column stays at the left (sticky)');
    assert.strictEqual(m1.leftEdge, 'src', 'the sources cover the scrolled cells');
    // scrolled down, the pairs' row stays on top
    await page.evaluate("document.querySelector('.trace-scroll').scrollTop = 1e6");
    const m2 = await measure();
    assert.ok(m2.scrollHeight > m2.clientHeight, 'a long solver scrolls in its box');
    assert.strictEqual(m2.topEdge, 'head');
    // thumbnails: canvases, at least 2 px a cell, none wider than 64 px (and its border)
    const sizes = await page.evaluate<Array<[number, number]>>("Array.from(document.querySelectorAll('canvas.trace-thumb')).map((c) => [Number(c.dataset.cell), c.getBoundingClientRect().width])");
    assert.ok(sizes.length > 50 && sizes.every(([cell, w]) => cell >= 2 && w <= 66), JSON.stringify(sizes.slice(0, 5)));
    // painted in the ARC palette under the CSP: line 10's grid on demo 0 starts green; line 12's mask fades a black cell
    // toward the background (#1e1e1e without a theme), its set's cells keep their colour
    const pixel = (key: string, x: number, y: number) => page.evaluate<number[]>(`Array.from(document.querySelector('[data-key="${key}"] canvas').getContext('2d').getImageData(${x}, ${y}, 1, 1).data)`);
    assert.deepStrictEqual(await pixel('trace:10:0', 2, 2), [46, 204, 64, 255]);
    const cell = sizes[0][0];
    assert.deepStrictEqual(await pixel('trace:12:0', Math.floor(cell / 2), Math.floor(cell / 2)), [46, 204, 64, 255]);
    const faded = await pixel('trace:12:0', Math.floor(cell * 1.5), Math.floor(cell / 2));
    assert.ok(faded.slice(0, 3).every((c) => Math.abs(c - 26) <= 2), `faded black: ${faded}`);
    // the first difference of demo 3 and the exception of test 0 are marked
    const firsts = await page.evaluate("Array.from(document.querySelectorAll('td.first-divergence .trace-cell-btn')).map((c) => c.getAttribute('data-key'))");
    assert.deepStrictEqual(firsts, ['trace:14:3', 'trace:23:4']);
    const problems = await page.evaluate('[...window.__violations, ...window.__errors]');
    assert.deepStrictEqual(problems, []);
    await page.close();
  });

  it('a cell opens full size under its line in the panel\'s width, copies its grid, and stays open across a reload', async () => {
    const page = await browser!.newPage({ viewport: { width: 640, height: 800 } });
    await page.addInitScript(HOST_STUB);
    await page.goto(origin);
    await page.waitForFunction('window.__posted.length > 0', undefined, { timeout: 20000 });
    const trace = longTrace();
    await page.evaluate(post({ type: 'state', history: [], trace, show: { view: 'trace', seq: 1 } }));
    await page.waitForSelector('#trace table.trace-table', { timeout: 20000 });
    await page.evaluate("document.querySelector('.trace-scroll').scrollLeft = 1e6");
    // demo 3's grid at line 26 (12x12), opened by keyboard
    await page.locator('[data-key="trace:26:3"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#trace-pair', { timeout: 20000 });
    const open = await page.evaluate<{ left: number; right: number; top: number; bottom: number; cell: number; focus: string; height: number }>(`(() => {
      const p = document.getElementById('trace-pair').getBoundingClientRect();
      const cell = document.querySelector('#trace-pair .grid-actual .cell').getBoundingClientRect();
      return { left: p.left, right: p.right, top: p.top, bottom: p.bottom, cell: cell.width, focus: document.activeElement.getAttribute('data-key'), height: innerHeight };
    })()`);
    assert.ok(open.left >= 0 && open.right <= 640 && open.cell >= 4 && open.top < open.height, `in the panel's width and in view: ${JSON.stringify(open)}`);
    assert.strictEqual(open.focus, 'trace:26:3', 'the focus stays on the cell');
    assert.match((await page.textContent('#trace-pair h4')) ?? '', /^x17 on demo 3 — fail/);
    await page.locator('#trace-pair figure.figure-actual button.copy-grid').click();
    const posted = await page.evaluate<unknown[]>('window.__posted');
    assert.deepStrictEqual(posted.slice(-1), [{ type: 'copyGrid', grid: trace.lines[16].values[3].grid }]);
    // hide and show: the trace and the open cell come back from the webview state
    await page.reload();
    await page.waitForSelector('#trace-pair', { timeout: 20000 });
    assert.match((await page.textContent('#trace-pair h4')) ?? '', /^x17 on demo 3/);
    await page.locator('[data-key="trace-close"]').click();
    await page.waitForFunction("!document.getElementById('trace-pair')", undefined, { timeout: 20000 });
    assert.deepStrictEqual(await page.evaluate('[...window.__violations, ...window.__errors]'), []);
    await page.close();
  });
});
