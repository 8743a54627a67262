/** File URIs and paths as the server sees them. */
import * as fs from 'fs';
import { fileURLToPath } from 'url';

/** The path of a file: URI, undefined for any other scheme or a malformed URI. */
export function toPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/** The path with symlinks resolved (the engine's roots and candidate files are real paths); the path itself when it is gone. */
export function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
