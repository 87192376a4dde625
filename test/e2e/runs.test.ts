// Folders of runs as a user meets them, in a real browser against the real VS Code host: right-click a folder and
// choose "Fit Scaling Law", and read every run of the workspace in the Runs view, in a dark and a light theme.
// Screenshots go to .vscode-test/shots/ (look at them when changing the view).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHost, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import { chooseFromContextMenu, setTheme as setWorkbenchTheme } from '../helpers/workbench';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

const SHOTS = join(REPO, '.vscode-test', 'shots');
let host: VsCodeHost | undefined;
after(() => host?.stop());
// Made after the host's teardown is registered: `after` hooks run in order, so it is removed once code-server let go.
const workspace = scratchDir('scaling-lens-runs-ui-');

/** A run logged under a schedule, from the LR-annealing law with known parameters and a little noise. */
function run(schedule: (step: number) => number, steps: number): string {
  let s1 = 0;
  let momentum = 0;
  let s2 = 0;
  let previous = schedule(1);
  const rows = ['step,lr,loss'];
  for (let step = 1; step <= steps; step++) {
    const lr = schedule(step);
    s1 += lr;
    momentum = 0.999 * momentum + (previous - lr);
    s2 += momentum;
    previous = lr;
    const loss = 2.6 + 0.1 * Math.pow(s1, -0.5) - 0.6 * s2 + 0.003 * Math.sin(step * 12.9898);
    if (step % 50 === 0) rows.push(`${step},${lr.toPrecision(6)},${loss.toFixed(5)}`);
  }
  return rows.join('\n') + '\n';
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const peak = 3e-4;
  const runs: Record<string, string> = {
    'sweep/constant.csv': run(() => peak, 8000),
    'sweep/cosine.csv': run((s) => peak * (0.55 + 0.45 * Math.cos((Math.PI * s) / 8000)), 8000),
    'ablations/wsd.csv': run((s) => (s < 6000 ? peak : peak * (1 - (0.9 * (s - 6000)) / 2000)), 8000),
  };
  for (const [rel, text] of Object.entries(runs)) {
    mkdirSync(join(workspace, rel, '..'), { recursive: true });
    writeFileSync(join(workspace, rel), text);
  }
  writeFileSync(join(workspace, 'sweep', 'config.yaml'), 'lr: 3e-4\n');
  host = await startHost({
    workspace,
    extensionDevelopmentPath: REPO,
    settings: { 'scalingLens.fit.bootstrapSamples': 40, 'workbench.colorTheme': 'Default Dark Modern' },
  });
  await host.waitForExtensionHost();
  await setTheme('Dark Modern');
});

function page() {
  assert.ok(host, 'host started');
  return host.page;
}

/** The workbench's theme, through the palette (test/helpers/workbench.ts). */
const setTheme = (theme: string) => setWorkbenchTheme(host!, theme);

test(
  'right-click a folder and choose "Fit Scaling Law": its runs are fitted together',
  { timeout: 300_000 },
  async () => {
    const row = page().locator('.explorer-folders-view .monaco-list-row', { hasText: 'sweep' }).first();
    await row.waitFor({ timeout: 30000 });
    // The fit's outcome (not its progress notification): the law, what it was fitted on, and the first prediction.
    const toast = page()
      .locator('.notifications-toasts .notification-list-item-message', { hasText: 'fitted on' })
      .first();
    await chooseFromContextMenu(host!, row, 'Fit Scaling Law', toast, {
      onMenu: () => host!.screenshot(join(SHOTS, 'runs-1-folder-menu.png')),
    });
    assert.match(await toast.innerText(), /Scaling Lens: .* fitted on 2 curves \(R² 0\.9\d+\)/);
    await host!.screenshot(join(SHOTS, 'runs-2-folder-fitted.png'));
  },
);

test('the Runs view lists every run with where it stands and its prediction', { timeout: 240_000 }, async () => {
  await page().keyboard.press('Escape'); // no menu left open over the side bar
  const header = page().locator('.pane-header', { hasText: 'Scaling Lens Runs' }).first();
  await header.waitFor({ timeout: 30000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  // Room for the view: the folders pane collapsed, the side bar wider.
  const folders = page().locator('.pane-header', { hasText: 'scaling-lens-runs-ui' }).first();
  if ((await folders.getAttribute('aria-expanded')) === 'true') await folders.click();
  const sash = page().locator('.part.sidebar + .monaco-sash, .monaco-sash.vertical').first();
  const box = await sash.boundingBox().catch(() => null);
  if (box) {
    await page().mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page().mouse.down();
    await page().mouse.move(box.x + 420, box.y + box.height / 2, { steps: 5 });
    await page().mouse.up();
  }
  const rows = page().locator('.pane-body .monaco-list-row', { hasText: '→ L(' });
  for (let i = 0; i < 240 && (await rows.count()) < 3; i++) await page().waitForTimeout(500);
  assert.equal(await rows.count(), 3, 'three runs with a prediction');
  const text = (await rows.allInnerTexts()).join('\n');
  assert.match(text, /constant[\s\S]*step 8k · loss \d\.\d+ → L\(16k\) = \d\.\d+ \[/);
  await host!.screenshot(join(SHOTS, 'runs-3-view-dark.png'));
  // A run's tooltip: its state, format, the law behind the prediction.
  await rows.first().hover();
  await page().waitForTimeout(1500);
  await host!.screenshot(join(SHOTS, 'runs-3b-tooltip-dark.png'));
  await setTheme('Light Modern');
  await host!.screenshot(join(SHOTS, 'runs-4-view-light.png'));
  await setTheme('Dark Modern');
});
