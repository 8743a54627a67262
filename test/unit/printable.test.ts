// Text from input files made printable (issue 10: a task file of random bytes echoed control bytes to the terminal).
import { strict as assert } from 'assert';
import { escapeNonPrintable, printableExcerpt, printableLines, quote } from '../../src/engine/tasks/printable';

/** Characters a terminal acts on, or that do not show as themselves. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\uFFFD]/u;

describe('printable', () => {
  it('escapes controls, DEL, C1, bidi and zero-width characters, U+FFFD and lone surrogates; keeps printable text', () => {
    assert.equal(escapeNonPrintable('a\x00b\x1b[2J\x7f\x85\n\t\r'), 'a\\x00b\\x1B[2J\\x7F\\x85\\n\\t\\r');
    assert.equal(escapeNonPrintable('x\u202Ey\u200Bz\uFFFD\uD800\u2028'), 'x\\u202Ey\\u200Bz\\uFFFD\\uD800\\u2028');
    assert.equal(escapeNonPrintable('solve_é ✓✗·… 日本 😀'), 'solve_é ✓✗·… 日本 😀');
    assert.equal(escapeNonPrintable('\u{F0000}'), '\\u{F0000}', 'private use, astral');
  });

  it('every string of 0-255 code units comes out free of unsafe characters', () => {
    let all = '';
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    const out = escapeNonPrintable(all + '\uD83D');
    assert.ok(!UNSAFE.test(out), JSON.stringify(out));
  });

  it('an excerpt is capped without cutting an escape in two; quote escapes quotes and backslashes', () => {
    assert.equal(printableExcerpt('short'), 'short');
    assert.equal(printableExcerpt('abcdefgh', 5), 'abcd…');
    assert.equal(printableExcerpt('abc\x1bdef', 6), 'abc…', 'the \\x1B escape does not fit whole, so it is left out');
    assert.equal(printableExcerpt('x'.repeat(1000)).length, 60);
    assert.equal(quote('a"b\\c\x01'), '"a\\"b\\\\c\\x01"');
    assert.equal(quote('y'.repeat(100), 10), `"${'y'.repeat(9)}…"`);
  });

  it('printableLines keeps line breaks and escapes the rest', () => {
    assert.equal(printableLines('one\x1b]0;title\x07\ntwo\r'), 'one\\x1B]0;title\\x07\ntwo\\r');
  });
});
