// Law auto in the editor, through the language server in-process: the lens names the law chosen, and the header
// hover compares both laws (their backtest errors, what a backtest is, the reason, where to see the runner-up) with
// the file's own text escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseFiles } from '../../src/core/analysis/analyse';
import { LAW_NAMES } from '../../src/core/analysis/lawNames';
import { formatPercent } from '../../src/core/util/format';
import { markdownText } from '../../src/server/markdown';
import { hoverForHeader } from '../../src/server/headerHover';
import { AnalysisRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { REPO } from '../helpers/shared';

/** A run name that would be a command link if it reached the hover's Markdown unescaped. */
const HOSTILE = 'cos*10k*[x](command:evil)';

test('law auto: the lens names the law, the header hover compares both laws and says why, file text escaped', async () => {
  const text = readFileSync(join(REPO, 'examples', 'loss', 'sweep.csv'), 'utf8').replaceAll('cosine_10k', HOSTILE);
  const path = join(mkdtempSync(join(tmpdir(), 'scaling-lens-auto-')), 'sweep.csv');
  writeFileSync(path, text);
  const uri = pathToFileURL(path).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 20 } };
    await client.open(uri, text);
    const status = await client.status(uri, (s) => s.state === 'done' || s.state === 'error');
    assert.equal(status.state, 'done', status.message);
    const analysis = (await client.rpc.sendRequest(AnalysisRequest, { uri }))!;
    const fit = analysis.fits[0];
    const selection = fit.selection!;
    assert.ok(selection, 'law auto reports its choice');
    assert.equal(fit.runnerUpFit?.law, selection.runnerUp);

    const lenses = (await client.lenses(uri)).map((l) => l.command!.title);
    assert.ok(lenses[0].startsWith(`Loss · ${LAW_NAMES[selection.chosen]} · fitted on 3 curves`), lenses[0]);
    assert.ok(
      lenses.slice(1).every((t) => t.includes(` · ${LAW_NAMES[selection.chosen]} · `)),
      lenses.join('\n'),
    );

    const hover = await client.hover(uri, 0, 2);
    const markdown = hover ? (hover.contents as { value: string }).value : '';
    assert.ok(
      markdown.includes(
        `Law chosen automatically: **${LAW_NAMES[selection.chosen]}**. Each law was refitted on the first 60, 70 and 80 % of every fit curve and scored on the rest (backtest error: the mean relative error there).`,
      ),
      markdown,
    );
    for (const c of selection.candidates) {
      const row = `| ${LAW_NAMES[c.law]}${c.law === selection.chosen ? ' (chosen)' : ''} | ${formatPercent(c.backtestError)} |`;
      assert.ok(markdown.includes(row), `${row} in\n${markdown}`);
    }
    assert.ok(
      markdown.includes(
        `Why: ${markdownText(selection.reason)}. Show Chart can overlay ${LAW_NAMES[selection.runnerUp]}, the runner-up`,
      ),
      markdown,
    );
    // The run's name reaches the hover only escaped: no link, no command.
    assert.ok(markdown.includes(markdownText(HOSTILE)), markdown);
    assert.ok(!markdown.includes('[x](command:evil)'), markdown);
  } finally {
    client.dispose();
  }
});

test("with curves held out, the hover's comparison gives each law's held-out PredE beside its backtest error", async () => {
  const file = join(REPO, 'examples', 'loss', 'sweep.csv');
  const analysis = await analyseFiles([file], { fitOn: ['cosine_10k', 'wsd_10k'], bootstrapSamples: 0 });
  const fit = analysis.fits[0];
  const markdown = hoverForHeader(analysis, file) ?? '';
  assert.match(markdown, /^\| law \| backtest error \| held-out PredE \| \|$/m);
  for (const c of fit.selection!.candidates) {
    const chosen = c.law === fit.selection!.chosen;
    const heldOut = (chosen ? fit.heldOut : fit.runnerUpFit!.heldOut)!.predE;
    const row = `| ${LAW_NAMES[c.law]}${chosen ? ' (chosen)' : ''} | ${formatPercent(c.backtestError)} | ${formatPercent(heldOut)} |`;
    assert.ok(markdown.includes(row), `${row} in\n${markdown}`);
  }
});
