// Getting started in a real VS Code (code-server + Chromium), once in a light and once in a dark theme: the
// walkthrough opens an example and runs fit, chart and Predict at on it; Fit from the palette with no file open picks
// one; an unrecognised file gets a hint whose "Select Columns…" runs the multi-step picker (step count, Back, sample
// values, no duplicate entry, a summary) and fits the file; Predict at takes "4x". Screenshots of each surface go to
// SCALING_LENS_SHOTS (default .vscode-test/shots/start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { startHost, type PlaywrightPage, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

const SHOTS = process.env.SCALING_LENS_SHOTS ?? join(REPO, '.vscode-test', 'shots', 'start');
const THEMES = [
  { name: 'light', theme: 'Default Light Modern' },
  { name: 'dark', theme: 'Default Dark Modern' },
];

/** A loss log whose column names match no alias: auto-fit leaves it alone until its columns are mapped. */
function unrecognisedLog(): string {
  const rows = Array.from(
    { length: 60 },
    (_, i) => `${(i + 1) * 50},${(2.6 + 3 * Math.pow((i + 1) * 50, -0.4)).toFixed(4)},0.0003`,
  );
  return ['iteration_count,objective,eta', ...rows].join('\n') + '\n';
}

function makeWorkspace(): string {
  const dir = scratchDir('scaling-lens-start-');
  for (const sub of ['loss', 'downstream']) cpSync(join(REPO, 'examples', sub), join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'metrics.csv'), unrecognisedLog());
  return dir;
}

const toast = (page: PlaywrightPage, text: string | RegExp) =>
  page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();

/** The document Predict at... answers in, once it shows `text` (the editor draws spaces as no-break spaces: match them with \s). */
const answer = (page: PlaywrightPage, text: string | RegExp) =>
  page.locator('.editor-instance', { hasText: text }).first();
const quickRows = (page: PlaywrightPage) => page.locator('.quick-input-widget .monaco-list-row');

/** Waits until the picker's title contains `text`, and returns the title with its step count. */
async function waitForStep(page: PlaywrightPage, text: string): Promise<string> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: text }).waitFor({ timeout: 30000 });
  return page.locator('.quick-input-widget .quick-input-titlebar').innerText();
}

async function pickRow(page: PlaywrightPage, text: string): Promise<void> {
  const row = quickRows(page).filter({ hasText: text }).first();
  await row.waitFor({ timeout: 30000 });
  await row.click();
}

async function clearNotifications(host: VsCodeHost): Promise<void> {
  await host.executeCommand('Notifications: Clear All Notifications');
}

for (const { name, theme } of THEMES) {
  test(`getting started in a ${name} theme`, { timeout: 600_000 }, async (t) => {
    mkdirSync(SHOTS, { recursive: true });
    const shot = (what: string) => join(SHOTS, `${what}-${name}.png`);
    const host = await startHost({
      workspace: makeWorkspace(),
      extensionDevelopmentPath: REPO,
      settings: { 'scalingLens.fit.bootstrapSamples': 30, 'workbench.colorTheme': theme },
    });
    const page = host.page;
    /** A subtest that leaves a screenshot of the screen it failed on. */
    const step = (title: string, body: () => Promise<void>) =>
      t.test(title, async () => {
        try {
          await body();
        } catch (error) {
          await host.screenshot(shot(`failure-${title.split(' ').slice(0, 3).join('-')}`)).catch(() => undefined);
          throw error;
        }
      });
    try {
      await host.waitForExtensionHost();

      await step('the walkthrough opens an example and runs fit, chart and Predict at on it', async () => {
        // Walkthroughs are contributed a moment after the extension host starts: retry until ours is listed.
        const entry = quickRows(page).filter({ hasText: 'Get Started with Scaling Lens' }).first();
        for (let attempt = 0; attempt < 10; attempt++) {
          await host.executeCommand('Welcome: Open Walkthrough...');
          const listed = await entry.waitFor({ timeout: 3000 }).then(
            () => true,
            () => false,
          );
          if (listed) break;
          await page.keyboard.press('Escape');
        }
        await entry.click();
        const open = page.locator('.getting-started-step .button-container a, .getting-started-step button', {
          hasText: 'Open the Example',
        });
        await open.first().waitFor({ timeout: 30000 });
        for (const step of ['Read the fit in the lens', 'Hover a row or the header', 'See the chart', 'Predict at'])
          await page.locator('.getting-started-step', { hasText: step }).first().waitFor({ timeout: 10000 });
        await host.screenshot(shot('walkthrough'));
        await open.first().click();
        const lens = page.locator('.codelens-decoration', { hasText: 'law' }).first();
        await lens.waitFor({ timeout: 90000 });
        assert.match(await lens.innerText(), /^L\(40k\) = \d.* · .*(law|laws|MPL) · /);
        // The lens step is done once a fit finished, without running Fit by hand.
        await page
          .locator('.getting-started-step[aria-checked="true"]', { hasText: 'Read the fit in the lens' })
          .first()
          .waitFor({ state: 'attached', timeout: 30000 });
        await host.screenshot(shot('walkthrough-example'));

        await page.locator('.getting-started-step', { hasText: 'See the chart' }).first().click();
        await page.getByRole('button', { name: 'Show Chart' }).first().click();
        await page
          .locator('.tabs-container .tab', { hasText: 'Chart: cosine.csv' })
          .first()
          .waitFor({ timeout: 30000 });
        await page
          // The walkthrough's media is a webview too; the chart opened last.
          .locator('iframe.webview:visible')
          .last()
          .contentFrame()
          .frameLocator('iframe#active-frame')
          .locator('#title', { hasText: /\S/ })
          .waitFor({ timeout: 60000 });
        await page.waitForTimeout(1000); // the chart's first draw
        await host.screenshot(shot('walkthrough-chart'));

        await page.locator('.getting-started-step', { hasText: 'Predict at any step' }).first().click();
        await page.waitForTimeout(1500); // the step's media loads (a webview, which takes focus)
        await page.getByRole('button', { name: 'Predict at...' }).first().click();
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ timeout: 30000 });
        await input.fill('200k');
        await page.keyboard.press('Enter');
        // Predict at... answers in a read-only document beside the file.
        await answer(page, 'L(200k)').waitFor({ timeout: 60000 });
        // The step is done once the prediction is answered (not as the command starts: that would close its input).
        await page
          .locator('.getting-started-step[aria-checked="true"]', { hasText: 'Predict at any step' })
          .first()
          .waitFor({ state: 'attached', timeout: 30000 });
        await host.screenshot(shot('walkthrough-predict'));
        await clearNotifications(host);
      });

      await step('Fit Scaling Law from the palette with no file open offers the workspace run files', async () => {
        await host.executeCommand('View: Close All Editors');
        await host.executeCommand('Scaling Lens: Fit Scaling Law');
        await waitForStep(page, 'fit which run file?');
        const rows = await quickRows(page).allInnerTexts();
        for (const file of ['loss/cosine.csv', 'downstream/downstream_sweep.csv', 'metrics.csv', 'Browse…'])
          assert.ok(
            rows.some((r: string) => r.includes(file)),
            `${file} is not offered: ${rows.join(' | ')}`,
          );
        await host.screenshot(shot('fit-pick'));
        await pickRow(page, 'loss/wsd.jsonl');
        await toast(page, /Scaling Lens: .*fitted on/).waitFor({ timeout: 90000 });
        await clearNotifications(host);
      });

      await step('an unrecognised file gets a hint, and Select Columns… maps it step by step', async () => {
        const file = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'metrics.csv' }).first();
        await file.dblclick();
        const hint = toast(page, 'was not recognised as a run file');
        await hint.waitFor({ timeout: 60000 });
        assert.match(await hint.innerText(), /metrics\.csv was not recognised/);
        await host.screenshot(shot('hint'));
        await hint.locator('.monaco-button', { hasText: 'Select Columns…' }).click();

        const law = await waitForStep(page, 'metrics.csv · law');
        assert.match(law, /1\/2/, `the law step shows its count: ${law}`);
        assert.ok((await quickRows(page).allInnerTexts()).some((r: string) => /Automatic.*not recognised/s.test(r)));
        await host.screenshot(shot('picker-law'));
        // The count follows the law under the cursor: the LR-annealing law asks for four columns.
        await page.keyboard.press('ArrowDown');
        await page.locator('.quick-input-widget .quick-input-titlebar', { hasText: '1/6' }).waitFor({ timeout: 10000 });
        await pickRow(page, 'LR-annealing law');

        const step = await waitForStep(page, 'column for step');
        assert.match(step, /2\/6/, step);
        const rows: string[] = await quickRows(page).allInnerTexts();
        assert.equal(rows.length, 4, `"No column" and each column once: ${rows.join(' | ')}`);
        assert.match(rows[0], /No column/);
        assert.ok(
          rows.some((r) => r.includes('iteration_count') && r.includes('50, 100, 150 …')),
          rows.join(' | '),
        );
        assert.ok(
          rows.some((r) => r.includes('objective') && r.includes('3.2274, ')),
          rows.join(' | '),
        );
        await host.screenshot(shot('picker-column'));
        // Back returns to the law, which keeps its answer.
        await page.locator('.quick-input-widget .quick-input-left-action-bar .action-label').first().click();
        await waitForStep(page, 'metrics.csv · law');
        await page.keyboard.press('Enter');
        await waitForStep(page, 'column for step');
        await pickRow(page, 'iteration_count');
        await waitForStep(page, 'column for loss');
        await pickRow(page, 'objective');
        await waitForStep(page, 'column for lr');
        await pickRow(page, 'eta');
        await waitForStep(page, 'column for run');
        await pickRow(page, 'No column');

        const summary = await waitForStep(page, 'confirm');
        assert.match(summary, /6\/6/, summary);
        const lines: string[] = await quickRows(page).allInnerTexts();
        for (const expected of [
          'Apply and fit',
          'step ← iteration_count',
          'loss ← objective',
          'lr ← eta',
          'run ← no column',
        ])
          assert.ok(
            lines.some((l) => l.includes(expected)),
            `${expected} missing from the summary: ${lines.join(' | ')}`,
          );
        await host.screenshot(shot('picker-confirm'));
        await pickRow(page, 'Apply and fit');
        const lens = page.locator('.codelens-decoration', { hasText: 'law' }).first();
        await lens.waitFor({ timeout: 90000 });
        assert.match(await lens.innerText(), /^L\(6k\) = \d.* · .*law · /);
        await host.screenshot(shot('picker-fitted'));
        await clearNotifications(host);
      });

      await step('Predict at... on a downstream sweep accepts "4x"', async () => {
        const folder = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'downstream' }).first();
        if ((await folder.getAttribute('aria-expanded')) !== 'true') await folder.click();
        await page
          .locator('.explorer-folders-view .monaco-list-row', { hasText: 'downstream_sweep.csv' })
          .first()
          .dblclick();
        await page.locator('.codelens-decoration').first().waitFor({ timeout: 90000 });
        await host.executeCommand('Scaling Lens: Predict at...');
        await pickRow(page, 'at k × the largest D_p');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ timeout: 30000 });
        await input.fill('4x');
        // The input takes it: no complaint under the box, and Enter closes it with an answer.
        await page.waitForTimeout(300);
        const complaint = await page
          .locator('.quick-input-widget .quick-input-message')
          .innerText()
          .catch(() => '');
        assert.doesNotMatch(complaint, /Enter a positive/);
        await host.screenshot(shot('predict-4x'));
        await page.keyboard.press('Enter');
        await answer(page, /BLEU\sand\sCE\sat\s4×\sthe\slargest\sD_p/).waitFor({ timeout: 60000 });
        await host.screenshot(shot('predict-4x-answer'));
      });
    } finally {
      await host.stop();
    }
  });
}

/** Runs `npm start`'s script on code-server; resolves with its output once `until` matches it or it exits. */
function runStart(
  env: Record<string, string | undefined>,
  until: RegExp,
): Promise<{ out: string; err: string; code: number | null; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(REPO, 'scripts', 'open-examples.mjs'), '--code-server'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve) => {
    const check = () => until.test(out + err) && resolve({ out, err, code: child.exitCode, stop });
    child.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
    child.stderr.on('data', (d: Buffer) => ((err += d.toString()), check()));
    void exited.then((code) => resolve({ out, err, code, stop }));
  });
}

/** Holds 127.0.0.1:port, or nothing when something else holds it already (busy either way). */
function occupy(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

test(
  'npm start: a busy PORT is refused with a message; with 8090 busy, the next free port; a few quiet lines',
  { timeout: 300_000 },
  async () => {
    const busy = await occupy(0);
    const busyPort = (busy!.address() as { port: number }).port;
    const default8090 = await occupy(8090);
    try {
      const refused = await runStart({ PORT: String(busyPort) }, /$^/);
      assert.equal(refused.code, 1);
      assert.match(refused.err, new RegExp(`Port ${busyPort} \\(from PORT\\) is in use`));
      assert.equal(refused.out.trim(), '');

      const started = await runStart({ PORT: undefined }, /Press Ctrl\+C to stop/);
      try {
        const address = /http:\/\/127\.0\.0\.1:(\d+)\/\?folder=/.exec(started.out);
        assert.ok(address, `no address printed:\n${started.out}\n${started.err}`);
        assert.notEqual(Number(address[1]), 8090);
        assert.match(started.out, /port 8090 was in use/);
        const lines = (started.out + started.err).trim().split('\n');
        assert.ok(lines.length <= 8, `quiet output expected:\n${started.out}${started.err}`);
        assert.doesNotMatch(started.out + started.err, /ERR!|EADDRINUSE/);
        // The printed address answers: code-server is up on it.
        const health = await fetch(`http://127.0.0.1:${address[1]}/healthz`);
        assert.ok(health.ok);
      } finally {
        await started.stop();
      }
    } finally {
      busy?.close();
      default8090?.close();
    }
  },
);
