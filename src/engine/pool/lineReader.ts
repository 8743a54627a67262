/**
 * Splits a byte stream into UTF-8 lines without re-scanning buffered data (protocol messages can be large,
 * stray output can be huge). With `maxLength`, a longer line is cut and the rest of it dropped, so a solver
 * printing megabytes without a newline costs no memory.
 */
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private dropping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLength = Infinity,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, nl));
      this.flushLine();
      start = nl + 1;
    }
  }

  /** Emits a final unterminated line, if any. */
  end(): void {
    if (this.size > 0 || this.dropping) this.flushLine();
  }

  private keep(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.size + piece.length > this.maxLength) {
      const room = Math.max(0, this.maxLength - this.size);
      if (room > 0) this.parts.push(piece.subarray(0, room));
      this.size += room;
      this.dropping = true;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  private flushLine(): void {
    let text = this.parts.length === 1 ? this.parts[0].toString('utf8') : Buffer.concat(this.parts, this.size).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (this.dropping) text += ' …(line truncated)';
    this.parts = [];
    this.size = 0;
    this.dropping = false;
    this.onLine(text);
  }
}
