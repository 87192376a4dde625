// A run that left its own law (law-departure), as a user meets it in a real VS Code (code-server + Chromium): the
// CodeLens at the top of the file says from which step and what happened instead of a prediction, the Runs view marks
// the run with a warning and the step, and the chart marks the step. Screenshots in a dark and a light theme go to
// .vscode-test/shots/departure-*.png (look at them when changing these surfaces).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHost, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import type { ChartHook, ChartSnapshot } from '../../src/shared/chart';
import { clean, lossRunCsv, spikeFrom } from '../helpers/departureRuns';
import { REPO } from '../helpers/shared';
import { openFile, setTheme, widenSideBar } from '../helpers/workbench';
import { scratchDir } from '../helpers/scratch';

const SHOTS = join(REPO, '.vscode-test', 'shots');
const STEPS = 600;
let host: VsCodeHost | undefined;
after(() => host?.stop());
// Made after the host's teardown is registered: `after` hooks run in order, so it is removed once code-server let go.
const workspace = scratchDir('scaling-lens-departure-');

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(join(workspace, 'runs'));
  writeFileSync(join(workspace, 'runs', 'spiked.csv'), lossRunCsv(STEPS, 3, 0.01, spikeFrom(540)));
  writeFileSync(join(workspace, 'runs', 'steady.csv'), lossRunCsv(STEPS, 4, 0.01, clean));
  host = await startHost({
    workspace,
    extensionDevelopmentPath: REPO,
    settings: { 'scalingLens.fit.bootstrapSamples': 40, 'workbench.colorTheme': 'Default Dark Modern' },
  });
  await host.waitForExtensionHost();
  await setTheme(host!, 'Dark Modern');
});

function page() {
  assert.ok(host, 'host started');
  return host.page;
}

/** The step the lens names, for the other surfaces to agree with. */
let step = 0;

test(
  'the lens of a run with a loss spike says from which step it left its law, not a number',
  { timeout: 240_000 },
  async () => {
    await openFile(host!, 'spiked.csv', 'runs');
    const lens = page().locator('.codelens-decoration', { hasText: 'left its law' }).first();
    await lens.waitFor({ timeout: 90_000 });
    const text = (await lens.innerText()).replace(/\s/g, ' ');
    const match = /^L\(1\.2k\): ⚠ no prediction, the run left its law from step (\d+): a loss spike/.exec(text);
    assert.ok(match, text);
    step = Number(match[1]);
    assert.ok(step >= 535 && step <= 552, text);
    assert.doesNotMatch(text, /= \d|\[\d/, 'no number from the law the run left');
    await host!.screenshot(join(SHOTS, 'departure-1-lens-dark.png'));
    await setTheme(host!, 'Light Modern');
    await host!.screenshot(join(SHOTS, 'departure-2-lens-light.png'));
    await setTheme(host!, 'Dark Modern');
  },
);

test('the Runs view marks the run that left its law with a warning and the step', { timeout: 240_000 }, async () => {
  await page().keyboard.press('Escape');
  const header = page().locator('.pane-header', { hasText: 'Scaling Lens Runs' }).first();
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  // Room for the view's descriptions: the side bar wider (the editor keeps the lens in view).
  await widenSideBar(host!, 420);
  const sideBar = await page().locator('.part.sidebar').first().boundingBox();
  assert.ok(sideBar && sideBar.width > 600, `the side bar was widened: ${JSON.stringify(sideBar)}`);
  const spiked = page().locator('.pane-body .monaco-list-row', { hasText: 'left its law' }).first();
  const steady = page().locator('.pane-body .monaco-list-row', { hasText: '→ L(' }).first();
  await spiked.waitFor({ timeout: 120_000 });
  await steady.waitFor({ timeout: 120_000 });
  const text = (await spiked.innerText()).replace(/\s/g, ' ');
  assert.match(text, /spiked.*step 600 · loss \d\.\d+ · ⚠ left its law at step \d+ \(spike\)/, text);
  // The overview fits the run alone with its own options: the step is the lens's within a few points.
  const listed = Number(/left its law at step (\d+)/.exec(text)?.[1]);
  assert.ok(Math.abs(listed - step) <= 5, `Runs view: step ${listed}, lens: step ${step}`);
  assert.equal(await spiked.locator('.codicon-warning').count(), 1, 'a warning icon');
  assert.match(await steady.innerText(), /steady/);
  await host!.screenshot(join(SHOTS, 'departure-3-runs-dark.png'));
  await spiked.hover();
  const tooltip = page().locator('.monaco-hover', { hasText: 'robust standard deviations' }).first();
  await tooltip.waitFor({ timeout: 15_000 });
  const said = (await tooltip.innerText()).replace(/\s/g, ' ');
  assert.match(said, new RegExp(`The run left its law from step ${listed}: a loss spike`));
  assert.match(said, /the tolerance, \d+(\.\d+)? % \(4 robust standard deviations/);
  assert.match(said, /\d+ outside the 95 % band of the fit/);
  await host!.screenshot(join(SHOTS, 'departure-4-runs-tooltip-dark.png'));
  await page().mouse.move(700, 5);
  await setTheme(host!, 'Light Modern');
  await host!.screenshot(join(SHOTS, 'departure-5-runs-light.png'));
  await setTheme(host!, 'Dark Modern');
});

test('the chart marks the step where the run left its law', { timeout: 180_000 }, async () => {
  await page().keyboard.press('Escape');
  await openFile(host!, 'spiked.csv', 'runs');
  await host!.executeCommand('Scaling Lens: Show Chart');
  const frame = page().frameLocator('iframe.webview:visible').frameLocator('iframe#active-frame');
  let snapshot: ChartSnapshot | undefined;
  for (let i = 0; i < 240 && !snapshot?.markers.some((m) => m.kind === 'break'); i++) {
    snapshot = await frame
      .locator('body')
      .evaluate(() => (window as unknown as ChartHook).__scalingLensChart, undefined, { timeout: 2000 })
      .catch(() => undefined);
    await page().waitForTimeout(250);
  }
  const marker = snapshot?.markers.find((m) => m.kind === 'break');
  assert.ok(marker, JSON.stringify(snapshot?.markers));
  assert.equal(marker.x, step);
  assert.equal(marker.label, `spiked: left its law at step ${step} (spike)`);
  // Drawn whole, or cut with an ellipsis to the chart's width (the panel beside the editor is narrow): never cut by
  // the canvas edge.
  const main = snapshot!.panels.find((p) => p.id === 'main');
  const shown = main?.labels?.find((l) =>
    l.text.some((t) => t === marker.label || (t.endsWith('…') && marker.label.startsWith(t.slice(0, -1)))),
  );
  assert.ok(shown, `the label is drawn: ${JSON.stringify(main?.labels)}`);
  assert.ok(
    shown.box.left >= 0 && shown.box.right <= (main?.width ?? 0),
    JSON.stringify({ shown, width: main?.width }),
  );
  // The what-if predicts from the law the run left no more than the lens does: no curve, no final loss, and why.
  const result = frame.locator('#whatif-result');
  await result.filter({ hasText: 'left it' }).waitFor({ timeout: 30_000 });
  const said = (await result.innerText()).replace(/\s+/g, ' ');
  for (const label of ['A', 'B'])
    assert.match(
      said,
      new RegExp(
        `what-if ${label}: the run the law was fitted on left it \\(spiked: the run left its law from step ${step}: a loss spike`,
      ),
    );
  assert.doesNotMatch(said, /final loss/);
  assert.equal(snapshot!.whatIf.length, 0, 'no what-if curve drawn');
  await host!.screenshot(join(SHOTS, 'departure-6-chart-dark.png'));
  await setTheme(host!, 'Light Modern');
  await host!.screenshot(join(SHOTS, 'departure-7-chart-light.png'));
  await setTheme(host!, 'Dark Modern');
});
