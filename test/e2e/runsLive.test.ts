// A run that trains while the user watches, in a real browser against the real VS Code host: the run's file is open
// (so the server follows it: its text is the file on disk), the run writes more steps, and its Runs view entry moves
// on to the new last step and says it is training, updated seconds ago — from the follower's re-fit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHost, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import { openFile, widenSideBar } from '../helpers/workbench';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

const SHOTS = join(REPO, '.vscode-test', 'shots');
let host: VsCodeHost | undefined;
after(() => host?.stop());
// Made after the host's teardown is registered: `after` hooks run in order, so it is removed once code-server let go.
const workspace = scratchDir('scaling-lens-runs-live-');

/** Rows logged every 50 steps in (from, to], under a constant LR, from a power law with a little noise. */
function rows(from: number, to: number): string {
  let text = '';
  for (let step = from + 50; step <= to; step += 50)
    text += `${step},0.0003,${(2.6 + 3 * step ** -0.4 + 0.002 * Math.sin(step * 12.9898)).toFixed(5)}\n`;
  return text;
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(join(workspace, 'live'));
  writeFileSync(join(workspace, 'live', 'train.csv'), `step,lr,loss\n${rows(0, 4000)}`);
  host = await startHost({
    workspace,
    extensionDevelopmentPath: REPO,
    settings: { 'scalingLens.fit.bootstrapSamples': 20, 'workbench.colorTheme': 'Default Dark Modern' },
  });
  await host.waitForExtensionHost();
});

test(
  'a run growing on disk moves on in the Runs view: its new last step, training, updated seconds ago',
  {
    timeout: 300_000,
  },
  async () => {
    const page = host!.page;
    await openFile(host!, 'train.csv', 'live');
    const header = page.locator('.pane-header', { hasText: 'Scaling Lens Runs' }).first();
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    await widenSideBar(host!, 300);
    const entry = (text: string) => page.locator('.pane-body .monaco-list-row', { hasText: text }).first();
    await entry('step 4k').waitFor({ timeout: 120_000 });
    assert.match(await entry('step 4k').innerText(), /→ L\(\d+(\.\d)?k\) = \d\.\d+.*training, updated \d+ s ago/);

    // The run writes 2,000 more steps: the entry follows without a refresh asked for.
    appendFileSync(join(workspace, 'live', 'train.csv'), rows(4000, 6000));
    const written = Date.now();
    await entry('step 6k').waitFor({ timeout: 60_000 });
    const text = await entry('step 6k').innerText();
    const ago = Number(/training, updated (\d+) s ago/.exec(text)?.[1]);
    assert.ok(
      ago <= Math.ceil((Date.now() - written) / 1000) + 1,
      `"updated ${ago} s ago" counts from the write: ${text}`,
    );
    assert.match(text, /→ L\(\d+(\.\d)?k\) = \d\.\d+/);
    await host!.screenshot(join(SHOTS, 'runs-live-grown.png'));
  },
);
