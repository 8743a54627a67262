/**
 * Text from input files made safe to print: a task file of random bytes, a bundle key holding an escape sequence or a
 * solver's exception message must not reach a terminal as control bytes (they can clear the screen, move the cursor,
 * reverse text with bidi overrides). Non-printable characters become escapes in JSON/Python style: `\n` `\t` `\r`,
 * `\xNN` for the other C0/C1 controls and DEL, `\uNNNN` (or `\u{NNNNN}`) for format characters, separators, surrogates,
 * private-use and unassigned code points and U+FFFD (what an invalid UTF-8 byte decodes to).
 */

/** Characters that do not print as themselves: controls, format (bidi, zero-width), surrogates, private use, unassigned,
 *  line/paragraph separators, and the replacement character. */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\uFFFD]/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** The escape for one non-printable character. */
function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const cp = ch.codePointAt(0)!;
  if (cp <= 0xff) return `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `\\u{${cp.toString(16).toUpperCase()}}`;
}

/** `text` with every non-printable character escaped (newlines too: for a quoted excerpt or one message line). */
export function escapeNonPrintable(text: string): string {
  return text.replace(NON_PRINTABLE, escapeChar);
}

/** Default length of a quoted excerpt of file content, in printed characters. */
export const QUOTE_LIMIT = 60;

/**
 * Escaped and capped for quoting in a message: at most `limit` printed characters (an escape is never cut in two),
 * ending in "…" when shortened.
 */
export function printableExcerpt(text: string, limit = QUOTE_LIMIT): string {
  return capped(text, limit, escapeNonPrintable);
}

/** `text` in double quotes, JSON style (`\"` and `\\` escaped too, so the quote is unambiguous), escaped and capped. */
export function quote(text: string, limit = QUOTE_LIMIT): string {
  return `"${capped(text, limit, (ch) => (ch === '"' || ch === '\\' ? `\\${ch}` : escapeNonPrintable(ch)))}"`;
}

/** The escaped pieces of `text` while they fit in `limit`; when they do not, as many as fit beside a final "…". */
function capped(text: string, limit: number, escape: (ch: string) => string): string {
  const pieces: string[] = [];
  let length = 0;
  for (const ch of text) {
    const piece = escape(ch);
    pieces.push(piece);
    length += piece.length;
    if (length > limit) {
      while (pieces.length && length + 1 > limit) length -= pieces.pop()!.length;
      return `${pieces.join('')}…`;
    }
  }
  return pieces.join('');
}

/** Message text for a terminal: each line escaped, the line breaks kept (multi-line reports and messages stay as made). */
export function printableLines(text: string): string {
  return text.split('\n').map(escapeNonPrintable).join('\n');
}
