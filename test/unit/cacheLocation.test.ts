// Issue 11 §6: the default cache folder is outside the workspace, in the user cache folder, one per workspace folder
// (by its real path), the same for the CLI and the engine the language server makes.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import '../cacheHome';
import { Engine } from '../../src/engine/engine';
import { defaultCacheDir, legacyCacheNote, userCacheRoot } from '../../src/engine/store/cacheLocation';

describe('the default cache folder (issue 11 §6)', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batt-cacheloc-')))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the user cache folder: $XDG_CACHE_HOME when absolute, else ~/.cache, ~/Library/Caches, %LOCALAPPDATA%', () => {
    const home = '/home/u';
    assert.equal(userCacheRoot({ env: { XDG_CACHE_HOME: '/x/cache' }, platform: 'linux', home }), '/x/cache');
    assert.equal(userCacheRoot({ env: {}, platform: 'linux', home }), '/home/u/.cache');
    assert.equal(userCacheRoot({ env: { XDG_CACHE_HOME: '' }, platform: 'linux', home }), '/home/u/.cache', 'empty: unset');
    assert.equal(userCacheRoot({ env: { XDG_CACHE_HOME: 'rel/cache' }, platform: 'linux', home }), '/home/u/.cache', 'relative: ignored (XDG spec)');
    assert.equal(userCacheRoot({ env: {}, platform: 'darwin', home }), '/home/u/Library/Caches');
    assert.equal(userCacheRoot({ env: { XDG_CACHE_HOME: '/x/cache' }, platform: 'darwin', home }), '/x/cache');
    assert.equal(userCacheRoot({ env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', home }), 'C:\\Users\\u\\AppData\\Local');
  });

  it('<user cache>/batt/<folder name>-<12 hex>: stable for one folder, another for another folder', () => {
    const a = path.join(tmp, 'my ws');
    const b = path.join(tmp, 'other', 'my ws');
    fs.mkdirSync(a);
    fs.mkdirSync(b, { recursive: true });
    const env = { env: { XDG_CACHE_HOME: '/c' }, platform: 'linux' as const };
    const da = defaultCacheDir(a, env);
    assert.match(da, /^\/c\/batt\/my_ws-[0-9a-f]{12}$/);
    assert.equal(defaultCacheDir(a + path.sep, env), da, 'the same folder, written another way');
    const db = defaultCacheDir(b, env);
    assert.notEqual(db, da, 'same name, another folder');
    assert.match(db, /^\/c\/batt\/my_ws-[0-9a-f]{12}$/);
    assert.ok(!da.startsWith(tmp), 'not under the workspace');
  });

  it('a symlink to the workspace names the same cache as its real path', () => {
    const real = path.join(tmp, 'real');
    fs.mkdirSync(real);
    const link = path.join(tmp, 'link');
    fs.symlinkSync(real, link);
    assert.equal(defaultCacheDir(link), defaultCacheDir(real));
    assert.match(path.basename(defaultCacheDir(link)), /^real-/);
  });

  it('the engine (CLI and language server alike) uses it unless cacheDir is set; a relative cacheDir is the workspace\'s', () => {
    const ws = path.join(tmp, 'ws');
    fs.mkdirSync(ws);
    const link = path.join(tmp, 'ws-link');
    fs.symlinkSync(ws, link);
    const cli = new Engine({ workspace: path.relative(process.cwd(), link), explicitFrom: 'cli' });
    const server = new Engine({ workspace: ws, explicitFrom: 'vscode', eagerPool: true });
    assert.equal(cli.cacheDir, defaultCacheDir(ws));
    assert.equal(server.cacheDir, cli.cacheDir);
    assert.ok(cli.cacheDir.startsWith(path.join(process.env.XDG_CACHE_HOME!, 'batt') + path.sep), cli.cacheDir);
    fs.writeFileSync(path.join(ws, 'batt.json'), JSON.stringify({ cacheDir: 'here/cache' }));
    assert.equal(new Engine({ workspace: link }).cacheDir, path.join(ws, 'here', 'cache'));
    assert.equal(new Engine({ workspace: ws, cacheDir: path.join(tmp, 'x') }).cacheDir, path.join(tmp, 'x'), 'an explicit folder wins');
  });

  it('an old <workspace>/.batt/cache gets one note while it is not the cache in use', () => {
    const ws = path.join(tmp, 'ws');
    assert.equal(legacyCacheNote(ws, defaultCacheDir(ws)), undefined, 'none there');
    fs.mkdirSync(path.join(ws, '.batt', 'cache'), { recursive: true });
    const note = legacyCacheNote(ws, defaultCacheDir(ws));
    assert.equal(note?.severity, 'warning');
    assert.equal(note?.file, path.join(ws, '.batt', 'cache'));
    assert.match(note.message, /no longer used \(the caches are now in .*batt\/ws-[0-9a-f]{12}\): delete it, or set "cacheDir": ".batt\/cache" in batt.json/);
    assert.equal(legacyCacheNote(ws, path.join(ws, '.batt', 'cache')), undefined, 'in use: no note');
  });
});
