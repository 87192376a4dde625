// What a user does, in a real browser against the real VS Code host: right-click a run file in the explorer and
// choose "Fit Scaling Law", read the lens, hover a row, open the Problems panel. Screenshots go to
// .vscode-test/shots/ (look at them when changing the UI).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHost, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import { LUO, luoTrainerState, REPO, skipUnless } from '../helpers/shared';
import { chooseFromContextMenu } from '../helpers/workbench';
import { scratchDir } from '../helpers/scratch';

const SHOTS = join(REPO, '.vscode-test', 'shots');
let host: VsCodeHost | undefined;
after(() => host?.stop());
// Made after the host's teardown is registered: `after` hooks run in order, so it is removed once code-server let go.
const workspace = scratchDir('scaling-lens-ui-');

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  for (const sub of ['loss', 'downstream'])
    cpSync(join(REPO, 'examples', sub), join(workspace, sub), { recursive: true });
  host = await startHost({
    workspace,
    extensionDevelopmentPath: REPO,
    settings: {
      'scalingLens.fit.bootstrapSamples': 100,
      'scalingLens.autoFit': false,
      'workbench.colorTheme': 'Default Dark Modern',
    },
  });
  await host.waitForExtensionHost();
});

function page() {
  assert.ok(host, 'host started');
  return host.page;
}

async function expandFolder(name: string) {
  const row = page().locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 30000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
}

test(
  'right-click a CSV in the explorer and choose "Fit Scaling Law": a notification and a lens appear',
  { timeout: 180_000 },
  async () => {
    await expandFolder('loss');
    const row = page().locator('.explorer-folders-view .monaco-list-row', { hasText: 'cosine.csv' }).first();
    const toast = page().locator('.notifications-toasts .notification-list-item-message', {
      hasText: 'fitted on cosine',
    });
    const chosen = await chooseFromContextMenu(host!, row, 'Fit Scaling Law', toast, {
      onMenu: () => host!.screenshot(join(SHOTS, 'ui-1-context-menu.png')),
    });
    assert.ok(chosen, 'the fit notification came');
    assert.match(
      await toast.innerText(),
      /Scaling Lens: (LR-annealing law|spread-weighted mean of LR-annealing law and MPL) fitted on cosine \(R² 0\.9\d*\) · cosine: L\(40k\) = \d\.\d+ \[\d\.\d+, \d\.\d+\]/,
    );
    // The file was not open: open it and the lens (kept for a file fitted on request) is on its first line.
    await row.dblclick();
    const lens = page().locator('.codelens-decoration', { hasText: 'L(40k)' }).first();
    await lens.waitFor({ timeout: 60000 });
    assert.match(
      await lens.innerText(),
      /^L\(40k\) = \d\.\d+ \[\d\.\d+, \d\.\d+\] · (LR-annealing law|weighted mean of both laws) · R² 0\.9\d+/,
    );
    await host!.screenshot(join(SHOTS, 'ui-2-lens.png'));
  },
);

test('hover a data row: observed against predicted, residual and band', { timeout: 120_000 }, async () => {
  const line = page().locator('.monaco-editor .view-line', { hasText: '2000,0.000' }).first();
  await line.waitFor({ timeout: 30000 });
  await line.locator('span > span').first().hover();
  const hover = page().locator('.monaco-hover-content', { hasText: 'observed' }).first();
  await hover.waitFor({ timeout: 30000 });
  const text = await hover.innerText();
  assert.match(text, /step 2000/);
  assert.match(text, /predicted \((LR-annealing law|weighted mean of both laws)\)/);
  assert.match(text, /residual/);
  assert.match(text, /95 % band/);
  await host!.screenshot(join(SHOTS, 'ui-3-hover.png'));
  await page().keyboard.press('Escape');
});

test('fit the downstream sweep and see the law-break warning in the Problems panel', { timeout: 180_000 }, async () => {
  await expandFolder('downstream');
  const row = page().locator('.explorer-folders-view .monaco-list-row', { hasText: 'downstream_sweep.csv' }).first();
  await row.dblclick();
  await page()
    .locator('.monaco-editor .view-line', { hasText: 'misaligned-en-fr' })
    .first()
    .waitFor({ timeout: 30000 });
  await host!.executeCommand('Scaling Lens: Fit Scaling Law');
  await page()
    .locator('.codelens-decoration', { hasText: 'the BLEU law broke at D_p = 8B' })
    .first()
    .waitFor({ timeout: 60000 });
  await page().keyboard.press('Control+Shift+M');
  const problem = page()
    .locator('.markers-panel .monaco-list-row', { hasText: 'The BLEU law breaks at D_p = 8B' })
    .first();
  await problem.waitFor({ timeout: 30000 });
  assert.match(await problem.innerText(), /bleu-law-break/);
  await host!.screenshot(join(SHOTS, 'ui-4-problems.png'));
});

test('Select Columns and Law...: map unrecognised columns and the file is fitted', { timeout: 180_000 }, async () => {
  // A log whose column names match no alias: nothing is fitted until the user maps them.
  const rows = Array.from(
    { length: 60 },
    (_, i) => `${(i + 1) * 50},${(2.6 + 3 * Math.pow((i + 1) * 50, -0.4)).toFixed(4)},0.0003`,
  );
  writeFileSync(join(workspace, 'loss', 'custom.csv'), ['iteration_count,objective,eta', ...rows].join('\n') + '\n');
  await page().locator('.explorer-folders-view .monaco-list-row', { hasText: 'custom.csv' }).first().dblclick();
  await page().locator('.monaco-editor .view-line', { hasText: 'iteration_count' }).first().waitFor({ timeout: 30000 });
  await host!.executeCommand('Scaling Lens: Select Columns and Law...');
  const pick = async (label: string) => {
    const row = page().locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ timeout: 30000 });
    await row.click();
  };
  await pick('LR-annealing law');
  await pick('iteration_count'); // step
  await pick('objective'); // loss
  await pick('eta'); // lr
  await pick('No column'); // run
  await pick('Apply and fit'); // the summary
  const lens = page().locator('.codelens-decoration', { hasText: 'LR-annealing law' }).first();
  await lens.waitFor({ timeout: 60000 });
  assert.match(await lens.innerText(), /^L\(6k\) = \d.* · LR-annealing law · /);
  await host!.screenshot(join(SHOTS, 'ui-6-columns.png'));
});

test(
  "a trainer_state.json: its first line hovers as the header (how the law was chosen), a field's line as its entry",
  { timeout: 180_000, skip: skipUnless(LUO) },
  async () => {
    mkdirSync(join(workspace, 'hf'));
    writeFileSync(join(workspace, 'hf', 'trainer_state.json'), luoTrainerState('25', 'cosine_24000'));
    await expandFolder('hf');
    await page()
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'trainer_state.json' })
      .first()
      .dblclick();
    await page().locator('.monaco-editor .view-line', { hasText: '"log_history"' }).first().waitFor({ timeout: 30000 });
    await host!.executeCommand('Scaling Lens: Fit Scaling Law');
    await page().locator('.codelens-decoration', { hasText: ' · R² ' }).first().waitFor({ timeout: 90000 });
    // The document's `{`, under the lens: JSON has no header line, and the comparison of the laws was on none.
    await page()
      .locator('.monaco-editor .view-line', { hasText: /^\{$/ })
      .first()
      .locator('span > span')
      .first()
      .hover();
    const header = page().locator('.monaco-hover-content', { hasText: 'Law chosen automatically' }).first();
    await header.waitFor({ timeout: 30000 });
    const text = (await header.innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /fitted on \S+ \(171 points\)/);
    // The answer first: which law predicts and why in one line, before the predictions and the laws' numbers, and
    // inside what VS Code shows of a hover before it scrolls (~250 px: the comparison and the reason were below it).
    const answer = /Law chosen automatically: (.*), because (.*)\./.exec(text);
    assert.ok(answer, text);
    assert.ok(text.indexOf(answer[0]) < text.indexOf('Predicts:'), text);
    assert.ok(text.indexOf('Predicts:') < text.indexOf('backtest error'), text);
    assert.doesNotMatch(answer[2], /backtest errors|weight|multi-power/);
    const shown = await page().locator('.monaco-hover:visible').first().boundingBox();
    const line = await header.locator('p', { hasText: 'Law chosen automatically' }).first().boundingBox();
    assert.ok(shown && line && line.y + line.height <= shown.y + shown.height, JSON.stringify([shown, line]));
    await host!.screenshot(join(SHOTS, 'ui-7-trainer-state-header.png'));
    await page().keyboard.press('Escape');
    const field = page().locator('.monaco-editor .view-line', { hasText: '"loss": 4.0342' }).first();
    await field.locator('span > span').first().hover();
    const row = page().locator('.monaco-hover-content', { hasText: 'observed' }).first();
    await row.waitFor({ timeout: 30000 });
    assert.match(await row.innerText(), /step 2288/);
    await host!.screenshot(join(SHOTS, 'ui-8-trainer-state-field.png'));
    await page().keyboard.press('Escape');
  },
);
