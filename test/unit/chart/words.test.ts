// The chart panel's text with hyphenated words kept on one line (src/webview/words.ts, media/chart.css).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hyphenatedParts } from '../../../src/webview/words';
import { REPO } from '../../helpers/shared';

test('a title cuts into parts that join back to it, each hyphenated word whole', () => {
  const title = 'loss/cosine.csv · loss curves (spread-weighted mean of LR-annealing law and MPL)';
  const parts = hyphenatedParts(title);
  assert.equal(parts.map((p) => p.text).join(''), title);
  assert.deepEqual(
    parts.filter((p) => p.whole).map((p) => p.text),
    ['spread-weighted', 'LR-annealing'],
  );
  // A minus sign, a range, a formula's exponent: no word.
  assert.deepEqual(
    hyphenatedParts('S1(s)^(-alpha) - C·S2(s), 6–6.3').filter((p) => p.whole),
    [],
  );
  assert.deepEqual(
    hyphenatedParts('misaligned-en-fr, D_f=42M: η_{k-1}')
      .filter((p) => p.whole)
      .map((p) => p.text),
    ['misaligned-en-fr', 'k-1'],
  );
  // A long name of many parts may still wrap, or it would run past a narrow panel.
  const long = Array.from({ length: 12 }, (_, i) => `part${i}`).join('-');
  assert.deepEqual(hyphenatedParts(long), [{ text: long, whole: false }]);
});

test('the stylesheet keeps a hyphenated word on one line', () => {
  const css = readFileSync(join(REPO, 'media', 'chart.css'), 'utf8');
  assert.match(css, /\.word \{ white-space: nowrap; \}/);
});
