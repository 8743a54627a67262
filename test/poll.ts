/**
 * The one polling helper of the TypeScript tests (unit, faults, and the VS Code suites, which esbuild bundles with it).
 * Calls `probe` until it returns a value other than undefined or false, and returns that value; a probe that throws is
 * retried, and its last error is part of the timeout message. A deadline, never a fixed sleep: by default the probe runs
 * about a thousand times within `timeoutMs`, every 10 to 100 ms; a test racing a short-lived state passes `intervalMs`.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = Math.min(100, Math.max(10, Math.round(timeoutMs / 1000))),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? String(last) : JSON.stringify(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
