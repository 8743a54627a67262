/** A progress bar on stderr, shown only on a terminal and only once a run has lasted a second. */
export class ProgressBar {
  private readonly t0 = Date.now();
  private shown = false;
  private last = 0;

  constructor(private readonly out: NodeJS.WriteStream, private readonly enabled: boolean) {}

  update(done: number, total: number): void {
    if (!this.enabled || total === 0) return;
    const now = Date.now();
    if (now - this.t0 < 1000 || (now - this.last < 100 && done < total)) return;
    this.last = now;
    this.shown = true;
    const width = 30;
    const filled = Math.round((width * done) / total);
    const secs = ((now - this.t0) / 1000).toFixed(1);
    this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} jobs  ${secs}s `);
  }

  done(): void {
    if (this.shown) {
      this.out.write('\r\x1b[K');
      this.shown = false;
    }
  }
}
