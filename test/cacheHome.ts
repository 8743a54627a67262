/**
 * Tests never write into the real user cache folder: importing this (the test helpers and every test that runs the
 * engine or the CLI do; both mocha configs require it) points $XDG_CACHE_HOME, where batt's default cache folder is
 * (src/engine/store/cacheLocation.ts), at a temporary folder of this test process, removed when it exits. CLI
 * processes and language servers the tests start inherit it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const KEY = 'BATT_TEST_CACHE_HOME_PID';

if (process.env[KEY] !== String(process.pid)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batt-test-cache-home-'));
  process.env.XDG_CACHE_HOME = dir;
  process.env[KEY] = String(process.pid);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}

/** The temporary user cache folder of this test process. */
export const TEST_CACHE_HOME = process.env.XDG_CACHE_HOME!;
