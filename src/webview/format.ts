/** Number and time formatting shared by the panel sections. */

export function seconds(ms: number, digits = 3): string {
  return (ms / 1000).toFixed(digits);
}

export function percent(part: number, whole: number, digits = 1): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(digits)}%` : '–';
}

/** Hit rate of a cache as a percentage, or "–" when there were no lookups. */
export function hitRate(c: { hits: number; misses: number }): string {
  return percent(c.hits, c.hits + c.misses);
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local "YYYY-MM-DD HH:MM:SS" of an ISO time; the input itself when it does not parse. */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Local "HH:MM:SS", for compact tables. */
export function clock(iso: string): string {
  return when(iso).slice(11) || iso;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A run's verdict counts as the CLI's summary line prints them (src/engine/report.ts): `J (ran R, C cached[, K
 * cancelled])[, S skipped]`. Records in runs.jsonl written before the summary counted cached, skipped and cancelled
 * verdicts lack those fields; they read as 0.
 */
export function jobCounts(s: { jobs: number; ran: number; cached?: number; cancelled?: number; skipped?: number }): string {
  const cached = s.cached ?? 0;
  const cancelled = s.cancelled ?? 0;
  const skipped = s.skipped ?? 0;
  return `${s.jobs} (ran ${s.ran}, ${cached} cached${cancelled ? `, ${cancelled} cancelled` : ''})${skipped ? `, ${skipped} skipped` : ''}`;
}
