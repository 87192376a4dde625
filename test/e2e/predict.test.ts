// "Predict at..." as a user meets it in the real VS Code host: the answer opens in a read-only document beside the
// run file (not a notification that truncates, not a modal dialog), with the whole answer; for a compute sweep it
// leads with N*, D* and the loss and says when they lie past the runs fitted. Screenshots in a dark and a light
// theme go to .vscode-test/shots/predict-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startHost, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';
import { setTheme } from '../helpers/workbench';

const SHOTS = join(REPO, '.vscode-test', 'shots');
let host: VsCodeHost | undefined;
after(() => host?.stop());
// Made after the host's teardown is registered: `after` hooks run in order, so it is removed once code-server let go.
const workspace = scratchDir('scaling-lens-predict-');

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  for (const sub of ['loss', 'compute']) cpSync(join(REPO, 'examples', sub), join(workspace, sub), { recursive: true });
  host = await startHost({
    workspace,
    extensionDevelopmentPath: REPO,
    settings: { 'scalingLens.fit.bootstrapSamples': 40, 'workbench.colorTheme': 'Default Dark Modern' },
  });
  await host.waitForExtensionHost();
});

function page() {
  assert.ok(host, 'host started');
  return host.page;
}

/** Opens a file of the workspace from the explorer and waits for a lens that contains `lensText`. */
async function openRunFile(folder: string, name: string, lensText: string) {
  const row = page().locator('.explorer-folders-view .monaco-list-row', { hasText: folder }).first();
  await row.waitFor({ timeout: 30000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  await page().locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().dblclick();
  await page().locator('.codelens-decoration', { hasText: lensText }).first().waitFor({ timeout: 90000 });
}

/** Runs Predict at... on the active file and types `value` into its input box. */
async function predictAt(value: string) {
  await host!.executeCommand('Scaling Lens: Predict at...');
  const input = page().locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ timeout: 30000 });
  await input.fill(value);
  await page().keyboard.press('Enter');
}

/**
 * The text of the answers' document, once its tab is open and shows `expected`. Markdown is word-wrapped, so the
 * rendered lines are joined back without the breaks the wrap put in (the checks below do not anchor on lines).
 */
async function answerText(tab: string, expected: string): Promise<string> {
  await page().locator('.tabs-container .tab', { hasText: tab }).first().waitFor({ timeout: 60000 });
  const editor = page().locator('.editor-instance', { hasText: expected }).first();
  await editor.waitFor({ timeout: 60000 });
  return (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ').replace(/\n/g, '');
}

/** Hovers the header line of the active compute sweep: what was fitted, its answer first, the details a click away. */
async function headerHover(shot: string) {
  const line = page().locator('.monaco-editor .view-line', { hasText: 'params,tokens' }).first();
  await line.locator('span > span').first().hover();
  const hover = page().locator('.monaco-hover-content', { hasText: 'Chinchilla law' }).first();
  await hover.waitFor({ timeout: 30000 });
  const text = (await hover.innerText()).replace(/\u00a0/g, ' ');
  assert.match(text, /Chinchilla law fitted on 36 runs · R² 0\.9/);
  assert.match(text, /at C = 1e23 FLOP: N\* [\d.]+B \(⚠ extrapolated: /);
  assert.doesNotMatch(text, /objective|iterations|huberDelta|fittedRows/);
  await host!.screenshot(join(SHOTS, shot));
  await page().keyboard.press('Escape');
}

/** Switches the color theme through its picker and waits until the workbench wears a light theme. */
async function lightTheme() {
  await host!.executeCommand('Preferences: Color Theme');
  const input = page().locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ timeout: 30000 });
  await input.fill('Light Modern');
  await page().locator('.quick-input-widget .monaco-list-row', { hasText: 'Light Modern' }).first().click();
  await page().locator('.monaco-workbench.vs').waitFor({ timeout: 30000 });
}

test(
  'Predict at... on a loss curve: the answer with its band in a document beside the file',
  { timeout: 240_000 },
  async () => {
    await openRunFile('loss', 'cosine.csv', 'L(40k)');
    await predictAt('100k');
    const text = await answerText('Predictions for cosine.csv', 'L(100k)');
    assert.match(text, /## Loss at step 100k- cosine: L\(100k\) = \d\.\d+ \[\d\.\d+, \d\.\d+\]/);
    assert.equal(await page().locator('.monaco-dialog-box').count(), 0, 'no modal dialog');
    await host!.screenshot(join(SHOTS, 'predict-1-loss-dark.png'));
  },
);

test(
  'Predict at... on a compute sweep: N*, D* and the loss first, and the extrapolation said',
  { timeout: 240_000 },
  async () => {
    await openRunFile('compute', 'compute_sweep.csv', 'FLOP');
    await predictAt('1e24');
    const text = await answerText('Predictions for compute_sweep.csv', '1e24');
    assert.match(text, /## Compute-optimal model, data and loss at C = 1e24 FLOP- C = 1e24/);
    assert.match(
      text,
      /- C = 1e24 FLOP → N\* [\d.]+B \(⚠ extrapolated: [\d.]+× the largest N fitted, 7B\) · D\* [\d.]+[BT].* · loss \d\.\d+ \[\d\.\d+, \d\.\d+\] · new run \[\d\.\d+, \d\.\d+\] · D\/N [\d.]+ \[[\d.]+, [\d.]+\]/,
    );
    assert.equal(await page().locator('.monaco-dialog-box').count(), 0, 'no modal dialog');
    await host!.screenshot(join(SHOTS, 'predict-2-compute-dark.png'));
    await headerHover('predict-3-header-hover-dark.png');
    await lightTheme();
    await host!.screenshot(join(SHOTS, 'predict-4-compute-light.png'));
    await headerHover('predict-5-header-hover-light.png');
    // The fit notification says the law, the runs, R² and the answer at the default budget.
    await host!.executeCommand('Scaling Lens: Fit Scaling Law');
    const toast = page().locator('.notifications-toasts .notification-list-item-message', {
      hasText: 'Chinchilla law fitted',
    });
    await toast.waitFor({ timeout: 60000 });
    assert.match(await toast.innerText(), /Chinchilla law fitted on 36 runs \(R² 0\.9\d*\) · C = 1e23 FLOP → N\* /);
    await host!.screenshot(join(SHOTS, 'predict-6-notification-light.png'));
    // Put the theme back for whatever test comes after.
    await setTheme(host!, 'Dark Modern');
  },
);
