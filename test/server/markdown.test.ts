// Direct tests of how file text is shown in hovers and lens titles (src/shared/markdown.ts): Markdown syntax from a
// file is text, never a link, an image or a command; invisible and reordering characters are shown, not acted on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepHyphenated, labelText, markdownCode, markdownText, tableHead } from '../../src/shared/markdown';

test('markdownText: every ASCII punctuation character is escaped, so a link or an image from a file is text', () => {
  assert.equal(markdownText('[x](command:a)'), '\\[x\\]\\(command\\:a\\)');
  assert.equal(markdownText('![t](https://e.com/t.png)'), '\\!\\[t\\]\\(https\\:\\/\\/e\\.com\\/t\\.png\\)');
  assert.equal(markdownText('*bold* `code` <b>'), '\\*bold\\* \\`code\\` \\<b\\>');
  assert.equal(markdownText('loss 3 é'), 'loss 3 é', 'letters, digits and spaces are kept');
});

test('markdownText: line breaks are flattened to one space; controls and bidi characters are shown escaped', () => {
  assert.equal(markdownText('a\r\nb\n\nc'), 'a b c');
  // The escape is itself text: its backslash is escaped too, so the hover shows `\u202e`, `\x1b`.
  assert.equal(markdownText('a\u202eb'), 'a\\\\u202eb');
  assert.equal(markdownText('a\u001bb'), 'a\\\\x1bb');
});

test("labelText: VS Code's $(icon) syntax and invisible characters are escaped; Markdown is left as it is", () => {
  assert.equal(labelText('$(alert) run'), '\\$(alert) run');
  assert.equal(labelText('a\u202eb'), 'a\\u202eb');
  assert.equal(labelText('a\u0007b'), 'a\\x07b');
  assert.equal(labelText('[x](y)'), '[x](y)', 'a lens title is plain text: nothing there is a link');
});

test('labelText: a line feed is shown escaped in a one-line title and kept in a tooltip', () => {
  assert.equal(labelText('a\nb'), 'a\\x0ab');
  assert.equal(labelText('a\nb', 'many'), 'a\nb');
});

test('markdownCode: a code span fenced past every backtick run inside, so file text cannot close it', () => {
  assert.equal(markdownCode('L = E + A * x'), '`L = E + A * x`');
  assert.equal(markdownCode('a`b [x](command:c)'), '``a`b [x](command:c)``');
  assert.equal(markdownCode('``a` b'), '``` ``a` b ```', 'a leading backtick is padded apart from the fence');
  assert.equal(markdownCode('a\nb\u202ec'), '`a b\\u202ec`', 'a line break flattened, an override shown');
});

test('tableHead: every column left-aligned, so a header sits over the start of its cells', () => {
  assert.equal(tableHead(['law', 'backtest error', '']), '| law | backtest error | |\n|:--|:--|:--|');
  assert.equal(tableHead(['', '']), '| | |\n|:--|:--|');
});

test('keepHyphenated: a word joiner after each hyphen inside a word, escaped or not; none elsewhere', () => {
  assert.equal(keepHyphenated('misaligned\\-en\\-fr'), 'misaligned\\-\u2060en\\-\u2060fr');
  assert.equal(keepHyphenated('LR-annealing, 3e-4'), 'LR-\u2060annealing, 3e-\u20604');
  assert.equal(keepHyphenated('a - b, -x, (-alpha)'), 'a - b, -x, (-alpha)');
});
