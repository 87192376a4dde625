// Every UI surface as a user meets it on the bundled examples, shot in a dark and a light theme for a person to look at
// (not a check: run it when changing what the UI shows). Opt-in, as it takes minutes of a 2-core machine:
//   SCALING_LENS_LOOK=1 node --import tsx --test test/e2e/look.test.ts
// Shots go to $SCALING_LENS_SHOTS (default .vscode-test/shots/look): the lens and header hover of a loss curve, a
// row hover, the status item, the chart under law auto with the runner-up shown, the what-if form of a two-stage run
// fitted by the multi-power law (a cosine what-if assumes its gamma), a BLEU group's law break in the Problems panel,
// the bands of an (N, D) sweep's chart and of a power law along a run's steps, the Runs view with a run's tooltip,
// and the walkthrough.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHost, type PlaywrightPage, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import type { ChartHook, ChartSnapshot } from '../../src/shared/chart';
import { REPO } from '../helpers/shared';
import { twoStageRunCsv } from '../helpers/syntheticLoss';
import { openFile, setTheme, widenSideBar } from '../helpers/workbench';
import { scratchDir } from '../helpers/scratch';

const LOOK = process.env.SCALING_LENS_LOOK === '1';
const skip = LOOK ? false : 'set SCALING_LENS_LOOK=1 to shoot every UI surface for a look';
const SHOTS = process.env.SCALING_LENS_SHOTS ?? join(REPO, '.vscode-test', 'shots', 'look');
const THEMES = [
  ['dark', 'Dark Modern'],
  ['light', 'Light Modern'],
] as const;

let host: VsCodeHost | undefined;
after(() => host?.stop());
const workspace = LOOK ? scratchDir('scaling-lens-look-') : '';

before(async () => {
  if (!LOOK) return;
  mkdirSync(SHOTS, { recursive: true });
  for (const sub of ['loss', 'downstream', 'compute'])
    cpSync(join(REPO, 'examples', sub), join(workspace, sub), { recursive: true });
  mkdirSync(join(workspace, 'twostage'));
  writeFileSync(join(workspace, 'twostage', 'twostage.csv'), twoStageRunCsv());
  host = await startHost({
    workspace,
    extensionDevelopmentPath: REPO,
    settings: { 'scalingLens.fit.bootstrapSamples': 40, 'workbench.colorTheme': 'Default Dark Modern' },
  });
  await host.waitForExtensionHost();
  await setTheme(host, 'Dark Modern');
});

const page = (): PlaywrightPage => host!.page;

/** Shoots `name` in each theme; `show` (re)opens what is shot after the theme changed (a hover closes on the switch). */
async function shootBoth(name: string, show: () => Promise<void> = async () => undefined): Promise<void> {
  for (const [suffix, theme] of THEMES) {
    await setTheme(host!, theme);
    await show();
    await page().waitForTimeout(600);
    await host!.screenshot(join(SHOTS, `${name}-${suffix}.png`));
  }
  await setTheme(host!, 'Dark Modern');
}

function chartFrame() {
  return page().frameLocator('iframe.webview:visible').frameLocator('iframe#active-frame');
}

async function waitForChart(ok: (s: ChartSnapshot) => boolean, timeoutMs = 120_000): Promise<ChartSnapshot> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const s = await chartFrame()
      .locator('body')
      .evaluate(() => (window as unknown as ChartHook).__scalingLensChart, undefined, { timeout: 2000 })
      .catch(() => undefined);
    if (s && ok(s)) return s;
    await page().waitForTimeout(300);
  }
  throw new Error('the chart did not draw');
}

/** Hovers the first text of the editor line holding `text` and waits for a hover holding `expect`. */
async function hoverLine(text: string | RegExp, expect: string): Promise<void> {
  await page().keyboard.press('Escape');
  await page().mouse.move(5, 5);
  const line = page().locator('.monaco-editor .view-line', { hasText: text }).first();
  await line.waitFor({ timeout: 30_000 });
  await line.locator('span > span').first().hover();
  await page().locator('.monaco-hover-content', { hasText: expect }).first().waitFor({ timeout: 30_000 });
}

/** Runs `shoot` with the workspace's law set to `law` (its settings file), then as it was. */
async function underLaw(law: string, shoot: () => Promise<void>): Promise<void> {
  const settings = join(workspace, '.vscode', 'settings.json');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(settings, JSON.stringify({ 'scalingLens.law': law }));
  await page().waitForTimeout(3000);
  try {
    await shoot();
  } finally {
    writeFileSync(settings, '{}');
    await page().waitForTimeout(2000);
  }
}

async function closeAll(): Promise<void> {
  await page().keyboard.press('Escape');
  await host!.executeCommand('View: Close All Editors');
  await page().waitForTimeout(500);
}

test(
  'a loss curve: its lens, the header hover, a row hover and the status item',
  { skip, timeout: 300_000 },
  async () => {
    await openFile(host!, 'cosine.csv', 'loss');
    const lens = page().locator('.codelens-decoration', { hasText: 'L(40k)' }).first();
    await lens.waitFor({ timeout: 120_000 });
    // Under law auto the lens is provisional on long logs; this one is short, and settles with the law chosen.
    await page().waitForTimeout(1500);
    await shootBoth('1-lens');
    await shootBoth('2-header-hover', () => hoverLine('step,lr,loss', 'fitted on'));
    await shootBoth('3-row-hover', () => hoverLine('2000,0.000', 'observed'));
    await page().keyboard.press('Escape');
    const status = page().locator('.statusbar-item[id="status.languageStatus"]').first();
    await shootBoth('4-status', async () => {
      await page().mouse.move(5, 5);
      await status.hover();
      await page().locator('.language-status-hover, .monaco-hover', { hasText: 'Scaling Lens' }).first().waitFor({
        timeout: 10_000,
      });
    });
  },
);

test(
  'the chart under law auto with the runner-up shown, and its what-if form',
  { skip, timeout: 300_000 },
  async () => {
    await host!.executeCommand('Scaling Lens: Show Chart');
    const s = await waitForChart((x) => x.kind === 'loss-curve' && x.whatIf.length === 2);
    await chartFrame().locator('#runner-up-toggle').click();
    await waitForChart((x) => x.timing.draws > s.timing.draws);
    await shootBoth('5-chart-runner-up');
    await shootBoth('6-chart-whatif', () => chartFrame().locator('#whatif').scrollIntoViewIfNeeded());
    await shootBoth('7-chart-notes', () => chartFrame().locator('#notes').scrollIntoViewIfNeeded());
  },
);

test(
  'a two-stage run fitted by the multi-power law: the cosine what-if says it assumes its gamma',
  { skip, timeout: 300_000 },
  async () => {
    await closeAll();
    await underLaw('mpl', async () => {
      await openFile(host!, 'twostage.csv', 'twostage');
      await page().locator('.codelens-decoration', { hasText: 'MPL' }).first().waitFor({ timeout: 120_000 });
      await host!.executeCommand('Scaling Lens: Show Chart');
      await waitForChart((x) => x.kind === 'loss-curve' && x.whatIf.length === 2);
      const result = (await chartFrame().locator('#whatif-result').textContent()) ?? '';
      assert.match(result, /assumes the MPL's gamma/);
      await shootBoth('8-twostage-chart');
      await shootBoth('9-twostage-whatif', () => chartFrame().locator('#whatif').scrollIntoViewIfNeeded());
    });
  },
);

test(
  'a downstream sweep: the BLEU law break in the lens and the Problems panel, and its chart',
  { skip, timeout: 300_000 },
  async () => {
    await closeAll();
    await openFile(host!, 'downstream_sweep.csv', 'downstream');
    await page()
      .locator('.codelens-decoration', { hasText: 'the BLEU law broke' })
      .first()
      .waitFor({ timeout: 120_000 });
    await page().keyboard.press('Control+Shift+M');
    await page().locator('.markers-panel .monaco-list-row', { hasText: 'bleu-law-break' }).first().waitFor({
      timeout: 30_000,
    });
    await shootBoth('10-bleu-problems');
    await shootBoth('11-bleu-header-hover', () => hoverLine('mix,D_f,D_p', 'BLEU'));
    await page().keyboard.press('Escape');
    await host!.executeCommand('View: Hide Panel');
    await host!.executeCommand('Scaling Lens: Show Chart');
    await waitForChart((x) => x.kind === 'downstream' && x.panels.length === 2);
    await shootBoth('12-bleu-chart');
  },
);

test(
  "the bands of an (N, D) sweep's chart (the law's and a new run's) and of a power law along a run's steps",
  { skip, timeout: 300_000 },
  async () => {
    await closeAll();
    await openFile(host!, 'compute_sweep.csv', 'compute');
    await host!.executeCommand('Scaling Lens: Show Chart');
    await waitForChart((x) => x.kind === 'compute');
    await shootBoth('12b-compute-chart');
    await closeAll();
    await underLaw('power', async () => {
      await openFile(host!, 'constant.csv', 'loss');
      await page().locator('.codelens-decoration', { hasText: 'power law' }).first().waitFor({ timeout: 120_000 });
      await host!.executeCommand('Scaling Lens: Show Chart');
      await waitForChart((x) => x.kind === 'power');
      await shootBoth('12c-power-steps-chart');
    });
  },
);

test('the Runs view with a run tooltip', { skip, timeout: 300_000 }, async () => {
  await closeAll();
  const header = page().locator('.pane-header', { hasText: 'Scaling Lens Runs' }).first();
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  // Room for the view: the folders pane collapsed, the side bar wider.
  const folders = page().locator('.pane-header', { hasText: 'scaling-lens-look' }).first();
  if ((await folders.getAttribute('aria-expanded')) === 'true') await folders.click();
  await widenSideBar(host!, 300);
  const row = page().locator('.pane-body .monaco-list-row', { hasText: 'cosine' }).first();
  await row.waitFor({ timeout: 120_000 });
  const predicted = page().locator('.pane-body .monaco-list-row', { hasText: '→ L(' });
  for (let i = 0; i < 240 && (await predicted.count()) < 2; i++) await page().waitForTimeout(500);
  await shootBoth('13-runs');
  const hoverRow = (name: string) => async () => {
    await page().mouse.move(5, 5);
    await page().waitForTimeout(300);
    await page().locator('.pane-body .monaco-list-row', { hasText: name }).first().hover();
    await page().waitForTimeout(1500);
  };
  await shootBoth('14-runs-tooltip', hoverRow('cosine'));
  await shootBoth('14b-runs-downstream-tooltip', hoverRow('downstream_sweep'));
});

test('the walkthrough', { skip, timeout: 180_000 }, async () => {
  await closeAll();
  await host!.executeCommand('Welcome: Open Walkthrough...');
  await page().locator('.quick-input-widget .quick-input-box input').fill('Scaling Lens');
  const pick = page().locator('.quick-input-widget .monaco-list-row', { hasText: 'Get Started with Scaling Lens' });
  await pick.first().waitFor({ timeout: 30_000 });
  await page().keyboard.press('Enter');
  // The theme picker's Escape takes the Welcome page back to its list of walkthroughs: the entry opens ours again.
  const tab = page().locator('.tabs-container .tab', { hasText: 'Walkthrough: Scaling Lens' }).first();
  await shootBoth('15-walkthrough', async () => {
    if (!(await tab.isVisible({ timeout: 3000 }).catch(() => false)))
      await page()
        .getByText(/^Get Started with Scaling Lens/)
        .first()
        .click({ timeout: 30_000 });
    await tab.waitFor({ timeout: 30_000 });
    // The step's Markdown media is drawn in a webview of its own, a moment later.
    await page().waitForTimeout(3000);
  });
});
