// The titles and items that name files, runs and columns outside the webview's HTML: the chart panel's tab, the chart
// page's heading (and the exported image's first line), and the column picker's titles and items. A name holding a
// right-to-left override, a newline or an ANSI escape is shown escaped, as every other surface shows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartTabTitle } from '../../../src/client/chartTitle';
import {
  applyDescription,
  columnItems,
  sampleLine,
  stepTitle,
  summaryLines,
  type ColumnPickerInput,
} from '../../../src/client/columnChoices';
import type { ChartData } from '../../../src/shared/chart';
import { chartHeading, exportHeader } from '../../../src/webview/exportImage';

/** A right-to-left override, a line feed and an ANSI colour escape: each changes what is drawn around it. */
const HOSTILE = 'run\u202eved.csv\nx\u001b[31m';
const SHOWN = 'run\\u202eved.csv\\x0ax\\x1b[31m';

/** No control or bidirectional formatting character left in a shown text. */
const UNSEEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

test("the chart tab's title shows the file's name escaped, on one line", () => {
  assert.equal(chartTabTitle(`/work/runs/${HOSTILE}`), `Chart: ${SHOWN}`);
  assert.equal(chartTabTitle('/work/runs/loss.csv'), 'Chart: loss.csv');
});

test("the chart page's heading and the exported image's first line show the file escaped", () => {
  const data = { kind: 'downstream', fits: [], panels: [] } as unknown as ChartData;
  assert.equal(chartHeading(HOSTILE, data), `${SHOWN} · downstream sweep (BLEU and CE vs D_p)`);
  assert.equal(chartHeading(HOSTILE, undefined), SHOWN);
  assert.deepEqual(exportHeader(data, HOSTILE), [chartHeading(HOSTILE, data)]);
  // A power law is named by its panel's title, which holds column names.
  const power = { kind: 'power', fits: [], panels: [{ title: 'loss\u2067 vs step' }] } as unknown as ChartData;
  assert.equal(chartHeading('a.csv', power), 'a.csv · loss\\u2067 vs step');
  // Its formula names them too: the exported image's law line shows them escaped.
  const formula = { ...power, fits: [{ formula: `${HOSTILE} = E + A * step^(-alpha)` }] } as unknown as ChartData;
  assert.equal(exportHeader(formula, 'a.csv')[1], `law: ${SHOWN} = E + A * step^(-alpha)`);
});

const input: ColumnPickerInput = {
  file: HOSTILE,
  info: {
    columns: ['step', 'loss', 'run\u202e', '$(check) ok'],
    roles: { step: 'step', loss: 'loss', run: 'run\u202e' },
    kind: 'loss-curve',
    samples: [['1'], ['2.5'], ['a\u001b[2Jb'], ['x\ny']],
  },
};

test("the column picker's titles and its summary's description show the file escaped", () => {
  assert.equal(stepTitle(HOSTILE, 'law'), `Scaling Lens: ${SHOWN} · law`);
  assert.equal(applyDescription(HOSTILE), `fit ${SHOWN} with the choices below`);
});

test("the column picker's items: names and samples escaped, icons not drawn, the item keeping the name itself", () => {
  const items = columnItems(input, 'run');
  assert.deepEqual(
    items.map((i) => i.column),
    ['run\u202e', 'step', 'loss', '$(check) ok'],
    'the detected column first, each item keeps the real name',
  );
  assert.deepEqual(
    items.map((i) => i.label),
    ['run\\u202e', 'step', 'loss', '\\$(check) ok'],
  );
  assert.equal(items[0].detail, 'a\\x1b[2Jb …');
  assert.equal(items[3].detail, 'x\\x0ay …');
  for (const item of items) assert.doesNotMatch(`${item.label}${item.description ?? ''}${item.detail ?? ''}`, UNSEEN);
  assert.equal(sampleLine(['\u202eabc']), '\\u202eabc …');
});

test('the summary names columns escaped', () => {
  const lines = summaryLines(input, 'lr-annealing', { lr: 'lr\u2066' });
  assert.deepEqual(lines, [
    'Law: LR-annealing law',
    'step ← step (detected)',
    'loss ← loss (detected)',
    'lr ← lr\\u2066',
    'run ← run\\u202e (detected)',
  ]);
});
