/**
 * Where a workspace's caches live by default: outside the workspace, in the user cache folder, so no cache record and
 * no bytecode shows in the Explorer, Quick Open or `git status`. One folder per workspace, the same for the CLI and
 * the language server: `<user cache>/batt/<folder name>-<12 hex of sha256 of its real path>`. The user cache folder is
 * `$XDG_CACHE_HOME` when set to an absolute path (on every platform), else `~/Library/Caches` on macOS,
 * `%LOCALAPPDATA%` on Windows, `~/.cache` elsewhere. `--cache-dir` / batt.json "cacheDir" override it.
 * What stays in the workspace is `.batt/` (battFolder.ts): the solver store and the run log.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sha256 } from '../fsutil';
import type { InputError } from '../types';

export interface CacheEnv {
  env?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  home?: string;
}

/** The user cache folder (not batt's own folder in it). */
export function userCacheRoot(o: CacheEnv = {}): string {
  const env = o.env ?? process.env;
  const platform = o.platform ?? process.platform;
  const home = o.home ?? os.homedir();
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return xdg;
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches');
  if (platform === 'win32') return env.LOCALAPPDATA || path.join(home, 'AppData', 'Local');
  return path.join(home, '.cache');
}

/** The default cache folder of the workspace folder `workspace` (resolved through symlinks first). */
export function defaultCacheDir(workspace: string, o: CacheEnv = {}): string {
  let real = path.resolve(workspace);
  try {
    real = fs.realpathSync(real);
  } catch {
    // not there (yet): its path as given
  }
  const key = (o.platform ?? process.platform) === 'win32' ? real.toLowerCase() : real;
  const name = path.basename(real).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return path.join(userCacheRoot(o), 'batt', `${name}-${sha256(key).slice(0, 12)}`);
}

/** The cache folder of batt versions before the user cache folder: `<workspace>/.batt/cache`. */
export function legacyCacheDir(root: string): string {
  return path.join(root, '.batt', 'cache');
}

/**
 * The note for a `<workspace>/.batt/cache` left by an older batt while the caches are elsewhere (it is not read, not
 * moved and not deleted: its bytecode is what Quick Open offered), or undefined when there is none or it is in use.
 */
export function legacyCacheNote(root: string, cacheDir: string): InputError | undefined {
  const legacy = legacyCacheDir(root);
  const inUse = path.resolve(cacheDir);
  if (inUse === legacy || inUse.startsWith(legacy + path.sep) || !fs.existsSync(legacy)) return undefined;
  return {
    kind: 'config',
    severity: 'warning',
    file: legacy,
    message: `a cache of an older batt, no longer used (the caches are now in ${inUse}): delete it, or set "cacheDir": ".batt/cache" in batt.json to keep using it there`,
  };
}
