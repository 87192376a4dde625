// A metric file opened from the explorer with nothing fitted, in a real browser against the real VS Code host: click
// down to a DVCLive run's plots/metrics/train/loss.tsv and its run's lens comes at its top, and the language status
// says what the file is; an MLflow run's metrics/lr, opened alone, shows the same run's lens. Dark and light themes.
// Screenshots go to .vscode-test/shots/ (look at them when changing the lens or the status).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHost, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import { setTheme } from '../helpers/workbench';
import { cosineLr, lawCurve, writeDvclive, writeMetricRuns } from '../helpers/frameworkRuns';
import { REPO } from '../helpers/shared';
import { formatNumber } from '../../src/core/util/format';
import { scratchDir } from '../helpers/scratch';

const SHOTS = join(REPO, '.vscode-test', 'shots');
let host: VsCodeHost | undefined;
after(() => host?.stop());
// Made after the host's teardown is registered: `after` hooks run in order, so it is removed once code-server let go.
const workspace = scratchDir('scaling-lens-metric-open-ui-');
const RUN_ID = 'feed'.padEnd(32, '0');
const POINTS = lawCurve(cosineLr(6000));
// A metric logged under nested folders with a long name (120 characters): the status item's hover must still fit.
const LONG_FOLDERS = ['evaluation_suite', 'downstream_tasks', 'multilingual_benchmark_v2', 'per_language_breakdown'];
const LONG_METRIC = [...LONG_FOLDERS, 'validation_cross_entropy_loss_exp_avg'].join('/');

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  writeMetricRuns(workspace, RUN_ID, POINTS);
  // The workspace's settings exist from the start, so the host follows the file the third test writes.
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), '{}\n');
  // A run opened once auto-fit is off (the third test): DVCLive names it by its folder.
  writeDvclive(join(workspace, 'later'), {
    'train/loss': POINTS.map((p) => ({ step: p.step, value: p.loss })),
    lr: POINTS.map((p) => ({ step: p.step, value: p.lr })),
  });
  writeDvclive(join(workspace, 'long'), {
    'train/loss': POINTS.map((p) => ({ step: p.step, value: p.loss })),
    lr: POINTS.map((p) => ({ step: p.step, value: p.lr })),
    [LONG_METRIC]: POINTS.map((p) => ({ step: p.step, value: p.loss + 0.1 })),
  });
  host = await startHost({
    workspace,
    extensionDevelopmentPath: REPO,
    settings: {
      'scalingLens.fit.bootstrapSamples': 40,
      'scalingLens.law': 'lr-annealing',
      'workbench.colorTheme': 'Default Dark Modern',
      // One row per folder: plots/ and metrics/ are clicked one by one, as a tree without compaction shows them.
      'explorer.compactFolders': false,
    },
  });
  await host.waitForExtensionHost();
});

function page() {
  assert.ok(host, 'host started');
  return host.page;
}

/** The explorer's row named exactly `name` (a name two rows share, metrics/, is clicked with one of them hidden). */
function explorerRow(name: string) {
  const label = page().locator('.label-name', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) });
  return page().locator('.explorer-folders-view .monaco-list-row').filter({ has: label }).first();
}

/** Folds a folder of the explorer if it is open, so its rows are not taken for another folder's of the same name. */
async function fold(name: string): Promise<void> {
  const row = explorerRow(name);
  await row.waitFor({ timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) === 'true') await row.click();
  await page()
    .locator('.explorer-folders-view .monaco-list-row[aria-expanded="false"]', { hasText: name })
    .first()
    .waitFor();
}

/** Clicks down the explorer: each folder expanded if it is not, then the file opened (a single click previews it). */
async function openFromExplorer(folders: string[], file: string): Promise<void> {
  for (const name of folders) {
    const row = explorerRow(name);
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  }
  const row = explorerRow(file);
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  await page().locator('.tabs-container .tab', { hasText: file }).first().waitFor({ timeout: 30_000 });
}

/** The lens at the top of the editor, once its run's fit is in. */
async function lensText(): Promise<string> {
  const lens = page().locator('.codelens-decoration', { hasText: 'LR-annealing law' }).first();
  await lens.waitFor({ timeout: 90_000 }).catch(async (error: unknown) => {
    await host!.screenshot(join(SHOTS, 'metric-open-failed.png'));
    throw error;
  });
  return (await lens.innerText()).replace(/\u00a0/g, ' ');
}

/**
 * The language status item's hover (the `{}` in the status bar), with the Scaling Lens item in it; its text, once
 * the item is seen whole inside the window (an MLflow run id in full pushed its fit headline past the right edge).
 */
async function languageStatus(): Promise<string> {
  await page().locator('[id="status.languageStatus"]').first().click();
  const hover = page().locator('.monaco-hover', { hasText: 'Scaling Lens' }).first();
  await hover.waitFor({ timeout: 30_000 });
  const item = hover.locator('.hover-language-status > .element', { hasText: 'Scaling Lens' }).first();
  const box = await item.boundingBox();
  const window = page().viewportSize();
  assert.ok(box && window, 'the item and the window have a size');
  assert.ok(box.x >= 0 && box.x + box.width <= window.width, `item at ${box.x}+${box.width} in ${window.width} px`);
  const cut = await item.evaluate((e: Element) =>
    Array.from(e.querySelectorAll('*')).some((c) => c.scrollWidth > c.clientWidth + 1),
  );
  assert.equal(cut, false, 'no part of the item is cut');
  return (await hover.innerText()).replace(/\u00a0/g, ' ');
}

test(
  "a DVCLive loss.tsv opened from the explorer, nothing fitted, shows its run's lens and says what it is",
  { timeout: 300_000 },
  async () => {
    await openFromExplorer(['dvclive', 'plots', 'metrics', 'train'], 'loss.tsv');
    const lens = await lensText();
    assert.match(lens, /^L\(12k\) = .* · LR-annealing law · /, lens);
    const status = await languageStatus();
    assert.match(status, /DVCLive metric 'train\/loss' of run dvclive/, status);
    await host!.screenshot(join(SHOTS, 'metric-open-1-dvclive-dark.png'));
    await page().keyboard.press('Escape');
    await setTheme(host!, 'Light Modern');
    await page().locator('.monaco-workbench.vs').first().waitFor({ timeout: 30_000 });
    await lensText();
    await languageStatus();
    await host!.screenshot(join(SHOTS, 'metric-open-2-dvclive-light.png'));
    await page().keyboard.press('Escape');
  },
);

test("an MLflow run's metrics/lr opened alone shows the same run's lens", { timeout: 300_000 }, async () => {
  // DVCLive's folder folded, so its metrics/ is not taken for the run's.
  await fold('dvclive');
  await openFromExplorer(['mlruns', '1', RUN_ID, 'metrics'], 'lr');
  const lens = await lensText();
  assert.match(lens, /^L\(12k\) = .* · LR-annealing law · /, lens);
  const status = await languageStatus();
  // The run id as MLflow's UI shortens it: the whole one is the item's link's tooltip.
  assert.match(status, /MLflow metric 'lr' of run feed0000… · 1 fit/, status);
  await host!.screenshot(join(SHOTS, 'metric-open-3-mlflow-light.png'));
  await page().keyboard.press('Escape');
  await setTheme(host!, 'Dark Modern');
  await page().locator('.monaco-workbench.vs-dark').first().waitFor({ timeout: 30_000 });
  await lensText();
  // Its editor has the Show Chart button a CSV's has (the menus know an MLflow metric file by its path).
  await page().locator('.editor-actions [aria-label*="Show Chart"]').first().waitFor({ timeout: 30_000 });
  await host!.screenshot(join(SHOTS, 'metric-open-4-mlflow-dark.png'));
  // Select Columns and Law... on it: past the law, the run's columns, each with its own first values (the file's
  // text has the LR's only).
  await host!.executeCommand('Scaling Lens: Select Columns and Law...');
  const row = (text: string) => page().locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row('LR-annealing law').click({ timeout: 30_000 });
  await row('detected').waitFor({ timeout: 30_000 });
  await host!.screenshot(join(SHOTS, 'metric-open-4b-mlflow-columns-dark.png'));
  const picker = await page().locator('.quick-input-widget').first().innerText();
  // Its title names the run as the status item does: the path's 32-digit id wrapped it.
  const title = await page().locator('.quick-input-widget .quick-input-title').first().innerText();
  assert.match(title, /^Scaling Lens: MLflow run feed0000… · column for /, title);
  const [step, loss, lr] = [POINTS[0].step, POINTS[0].loss, POINTS[0].lr].map((v) => formatNumber(v, 6));
  for (const sample of [`${step}, `, `\n${loss}, `, `\n${lr}, `]) assert.ok(picker.includes(sample), picker);
  await page().keyboard.press('Escape');
});

test(
  "a DVCLive metric of a 120-character name is shortened in the middle in the status item's hover",
  { timeout: 300_000 },
  async () => {
    assert.equal(LONG_METRIC.length, 120);
    await fold('mlruns');
    await openFromExplorer(['long', 'plots', 'metrics', ...LONG_FOLDERS], 'validation_cross_entropy_loss_exp_avg.tsv');
    await lensText();
    // Seen whole inside the window (languageStatus), its start and its end kept; the whole name in the link's tooltip.
    const status = await languageStatus();
    assert.match(status, /DVCLive metric 'eval…[^']*_exp_avg' of run long · 1 fit/, status);
    assert.ok(!status.includes(LONG_METRIC), status);
    const link = page().locator('.monaco-hover .hover-language-status a', { hasText: 'Show Log' }).first();
    const tooltip = (await link.getAttribute('title')) ?? (await link.evaluate((e: Element) => e.outerHTML));
    assert.ok(tooltip.includes(`metric ${LONG_METRIC}`), tooltip);
    await host!.screenshot(join(SHOTS, 'metric-open-4c-long-metric-light.png'));
    await page().keyboard.press('Escape');
    // Its editor closed, so the next test's lens is its own file's.
    await host!.executeCommand('View: Close All Editors');
    await fold('long');
  },
);

test(
  'auto-fit off: the lens of a metric file offers Fit Scaling Law, which fits its run',
  { timeout: 300_000 },
  async () => {
    writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'scalingLens.autoFit': false }));
    // The settings reach the server a moment after the file changes.
    await page().waitForTimeout(3000);
    await fold('mlruns');
    await openFromExplorer(['later', 'plots', 'metrics', 'train'], 'loss.tsv');
    const offer = page().locator('.codelens-decoration', { hasText: 'auto-fit is off' }).first();
    await offer.waitFor({ timeout: 60_000 }).catch(async (error: unknown) => {
      await host!.screenshot(join(SHOTS, 'metric-open-failed.png'));
      throw error;
    });
    assert.match(await offer.innerText(), /Fit Scaling Law on run later/);
    const status = await languageStatus();
    assert.match(status, /DVCLive metric 'train\/loss' of run later · skipped\s*Fit Scaling Law/, status);
    await host!.screenshot(join(SHOTS, 'metric-open-5-autofit-off-dark.png'));
    await page().keyboard.press('Escape');
    await offer.locator('a').first().click();
    const lens = await lensText();
    assert.match(lens, /^L\(12k\) = .* · LR-annealing law · /, lens);
    await setTheme(host!, 'Light Modern');
    await page().locator('.monaco-workbench.vs').first().waitFor({ timeout: 30_000 });
    await lensText();
    await host!.screenshot(join(SHOTS, 'metric-open-6-fitted-light.png'));
  },
);
