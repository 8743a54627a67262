/** The bench's result rows and the printed table. A row with a target gets PASS or MISS; the others are info. */

export interface Row {
  section: string;
  metric: string;
  value: number;
  unit: string;
  /** e.g. "<= 1.15", "< 150 ms"; absent for information rows */
  target?: string;
  pass?: boolean;
}

export class Report {
  readonly rows: Row[] = [];

  info(section: string, metric: string, value: number, unit: string): void {
    this.rows.push({ section, metric, value, unit });
  }

  /** A row checked against `limit` with `op`; NaN or Infinity is a MISS. */
  check(section: string, metric: string, value: number, unit: string, op: '<=' | '<' | '>=', limit: number): void {
    const pass = op === '<=' ? value <= limit : op === '<' ? value < limit : value >= limit;
    this.rows.push({ section, metric, value, unit, target: `${op} ${limit}${unit === 'x' ? 'x' : unit ? ` ${unit}` : ''}`, pass: Number.isFinite(value) && pass });
  }

  table(): string {
    const fmt = (r: Row) => {
      const v = !Number.isFinite(r.value) ? String(r.value) : Math.abs(r.value) >= 100 ? r.value.toFixed(0) : Math.abs(r.value) >= 10 ? r.value.toFixed(1) : Math.abs(r.value) >= 1 || r.value === 0 ? r.value.toFixed(2) : r.value.toFixed(3);
      return `${v}${r.unit === 'x' ? 'x' : r.unit ? ` ${r.unit}` : ''}`;
    };
    const lines = this.rows.map((r) => [r.section, r.metric, fmt(r), r.target ?? '', r.target ? (r.pass ? 'PASS' : 'MISS') : '']);
    const head = ['#', 'metric', 'value', 'target', ''];
    const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const row = (l: string[]) => l.map((c, i) => (i === 2 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
    return [row(head), w.map((n) => '-'.repeat(n)).join('  '), ...lines.map(row)].join('\n');
  }
}
