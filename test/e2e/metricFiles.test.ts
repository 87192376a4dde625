// Run folders whose runs are metric files, in a real browser against the real VS Code host: right-click a DVCLive
// folder and an MLflow store and choose "Fit Scaling Law", and their metric files' findings are in the Problems panel
// with none of them open; open a metric file and a record hovers as its step's row against the law, in a dark and a
// light theme. Screenshots go to .vscode-test/shots/ (look at them when changing the hover).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startHost, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import { chooseFromContextMenu, setTheme } from '../helpers/workbench';
import { cosineLr, lawCurve, writeMetricRuns } from '../helpers/frameworkRuns';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

const SHOTS = join(REPO, '.vscode-test', 'shots');
let host: VsCodeHost | undefined;
after(() => host?.stop());
// Made after the host's teardown is registered: `after` hooks run in order, so it is removed once code-server let go.
const workspace = scratchDir('scaling-lens-metric-files-ui-');
const RUN_ID = 'c0ffee'.padEnd(32, '0');
const POINTS = lawCurve(cosineLr(6000));
/** The point whose records are hovered: the fourth (step 400), the NaN loss the eleventh in both runs. */
const HOVERED = 3;
const NAN_AT = 10;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const losses = POINTS.map((p, i) => ({ step: p.step, value: i === NAN_AT ? NaN : p.loss }));
  writeMetricRuns(workspace, RUN_ID, POINTS, losses);
  host = await startHost({
    workspace,
    extensionDevelopmentPath: REPO,
    settings: {
      'scalingLens.fit.bootstrapSamples': 40,
      'scalingLens.law': 'lr-annealing',
      'workbench.colorTheme': 'Default Dark Modern',
    },
  });
  await host.waitForExtensionHost();
});

function page() {
  assert.ok(host, 'host started');
  return host.page;
}

/** Right-click a folder of the explorer's top level and choose "Fit Scaling Law", until its fit's toast comes. */
async function fitFolder(name: string, shot?: string): Promise<void> {
  const row = page().locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  const toast = page()
    .locator('.notifications-toasts .notification-list-item-message', { hasText: 'fitted on' })
    .first();
  const chosen = await chooseFromContextMenu(host!, row, 'Fit Scaling Law', toast, {
    onMenu: () => (shot ? host!.screenshot(join(SHOTS, shot)) : Promise.resolve()),
  });
  assert.ok(chosen, `${name}: the fit notification came`);
  await page().keyboard.press('Escape');
  await page()
    .locator('.notifications-toasts .notification-toast')
    .first()
    .waitFor({ state: 'hidden' })
    .catch(() => undefined);
}

/**
 * Opens a file by its path under the workspace through Quick Open, clicking the result whose folder holds `folder`
 * (loss.tsv, recently opened, may be listed first for MLflow's loss); the editor's lines are waited for by hoverLine.
 */
async function quickOpen(path: string, folder: string): Promise<void> {
  await page().keyboard.press('Escape');
  await page().keyboard.press('Control+P');
  await page().locator('.quick-input-widget .quick-input-box input').fill(path);
  const row = page().locator('.quick-input-widget .monaco-list-row', { hasText: folder }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

/** Hovers the editor line holding `text` and returns the hover's text once it shows the row (observed...). */
async function hoverLine(text: string): Promise<string> {
  const line = page().locator('.monaco-editor .view-line', { hasText: text }).first();
  await line.waitFor({ timeout: 30_000 });
  // A hover still shown from before would be taken for this one: it goes first.
  await page().mouse.move(0, 0);
  await page().keyboard.press('Escape');
  const hover = page().locator('.monaco-hover-content', { hasText: 'observed' }).first();
  await hover.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  await line.locator('span > span').first().hover();
  await hover.waitFor({ timeout: 30_000 });
  return (await hover.innerText()).replace(/\u00a0/g, ' ');
}

test(
  'Fit on a DVCLive folder and an MLflow store: the NaN rows of their metric files are in Problems, none open',
  { timeout: 300_000 },
  async () => {
    await fitFolder('dvclive', 'metric-files-1-menu.png');
    await fitFolder('mlruns');
    assert.equal(await page().locator('.tabs-container .tab').count(), 0, 'no file is open');
    await page().keyboard.press('Control+Shift+M');
    const markers = page().locator('.markers-panel .monaco-list-row');
    await markers
      .filter({ hasText: 'loss.tsv' })
      .first()
      .waitFor({ timeout: 60_000 })
      .catch(async (error: unknown) => {
        await host!.screenshot(join(SHOTS, 'metric-files-2-problems-failed.png'));
        throw error;
      });
    const nan = markers.filter({ hasText: 'Loss NaN is not a number' });
    await nan.nth(1).waitFor({ timeout: 60_000 });
    assert.equal(await nan.count(), 2, await markers.allInnerTexts().then((t: string[]) => t.join('\n')));
    // Each at its row: line 12 of loss.tsv (under its header), line 11 of MLflow's loss.
    const rows: string[] = await markers.allInnerTexts();
    assert.ok(
      rows.some((r) => /Loss NaN is not a number[\s\S]*\[Ln 12, Col \d+\]/.test(r)),
      rows.join('\n'),
    );
    assert.ok(
      rows.some((r) => /Loss NaN is not a number[\s\S]*\[Ln 11, Col \d+\]/.test(r)),
      rows.join('\n'),
    );
    await host!.screenshot(join(SHOTS, 'metric-files-2-problems.png'));
  },
);

test(
  "hover a metric file's record: its step's row, observed against the law, in both themes",
  { timeout: 300_000 },
  async () => {
    await quickOpen('dvclive/plots/metrics/train/loss.tsv', 'plots/metrics/train');
    const stamp = String(1721450900000 + HOVERED);
    let text = await hoverLine(stamp);
    assert.match(text, /step 400 · Loss/, text);
    assert.match(text, new RegExp(`observed\\s+${POINTS[HOVERED].loss.toPrecision(5)}`), text);
    assert.match(text, /predicted \(LR-annealing law\)/, text);
    assert.match(text, /residual/, text);
    assert.match(text, /95 % band/, text);
    await host!.screenshot(join(SHOTS, 'metric-files-3-dvclive-hover-dark.png'));
    await setTheme(host!, 'Light Modern');
    await page().locator('.monaco-workbench.vs').first().waitFor({ timeout: 30_000 });
    text = await hoverLine(stamp);
    await host!.screenshot(join(SHOTS, 'metric-files-4-dvclive-hover-light.png'));

    await quickOpen(`mlruns/1/${RUN_ID}/metrics/loss`, `${RUN_ID}/metrics`);
    text = await hoverLine(String(1721450900000 + HOVERED * 1000));
    assert.match(text, /cosine · step 400 · Loss/, text);
    assert.match(text, /predicted \(LR-annealing law\)/, text);
    await host!.screenshot(join(SHOTS, 'metric-files-5-mlflow-hover-light.png'));
    await setTheme(host!, 'Dark Modern');
    await page().locator('.monaco-workbench.vs-dark').first().waitFor({ timeout: 30_000 });
    text = await hoverLine(String(1721450900000 + HOVERED * 1000));
    assert.match(text, /95 % band/, text);
    await host!.screenshot(join(SHOTS, 'metric-files-6-mlflow-hover-dark.png'));
    // An MLflow metric file opened is not fitted alone: no notification that it is not a run file.
    const hint = page().locator('.notifications-toasts', { hasText: 'was not recognised as a run file' });
    assert.equal(await hint.count(), 0);
  },
);
