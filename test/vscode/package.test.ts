// The package a user installs: build the .vsix, install it into the VS Code host (no development path), open a
// run file and see the lens. Catches files missing from the package (a whitelist .vscodeignore).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startHost, type VsCodeHost } from '../../scripts/vscode-host/host.mjs';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

let host: VsCodeHost | undefined;
after(() => host?.stop());
// Made after the host's teardown is registered: `after` hooks run in order, so it is removed once code-server let go.
const workspace = scratchDir('scaling-lens-pkg-');

test('the packaged .vsix installs, activates and shows a lens', { timeout: 300_000 }, async () => {
  const vsix = join(scratchDir('scaling-lens-vsix-'), 'scaling-lens.vsix');
  const pack = spawnSync(
    process.execPath,
    [join(REPO, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', vsix],
    { cwd: REPO, encoding: 'utf8' },
  );
  assert.equal(pack.status, 0, pack.stderr + pack.stdout);
  assert.ok(existsSync(vsix));
  cpSync(join(REPO, 'examples', 'loss'), join(workspace, 'loss'), { recursive: true });
  host = await startHost({ workspace, installVsix: vsix, settings: { 'scalingLens.fit.bootstrapSamples': 50 } });
  await host.waitForExtensionHost();
  const folder = host.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'loss' }).first();
  await folder.waitFor({ timeout: 30000 });
  await folder.click();
  await host.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'cosine.csv' }).first().dblclick();
  const lens = host.page.locator('.codelens-decoration', { hasText: 'L(40k)' }).first();
  await lens.waitFor({ timeout: 90000 });
  assert.match(await lens.innerText(), /L\(40k\) = \d\.\d+/);
  await host.screenshot(join(REPO, '.vscode-test', 'shots', 'package-lens.png'));
});
