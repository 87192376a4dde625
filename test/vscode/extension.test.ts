// Runs the in-host suite (test/vscode/suite) inside a real VS Code (code-server) against the built extension.
// Each in-host case is reported here as its own subtest, so the summary counts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runExtensionTests } from '../../scripts/vscode-host/host.mjs';
import { scratchDir } from '../helpers/scratch';
import { REPO } from '../helpers/shared';
import { makeWorkspace } from './workspace';

test('the extension in a real VS Code', { timeout: 600_000 }, async (t) => {
  // Removed after this test: runExtensionTests has stopped the host by then.
  const workspace = makeWorkspace(scratchDir('scaling-lens-ws-'));
  const run = await runExtensionTests({
    workspace,
    extensionDevelopmentPath: REPO,
    extensionTestsPath: join(REPO, 'out/test/vscode/suite.js'),
    settings: { 'scalingLens.fit.bootstrapSamples': 100 },
    // Only the in-host cases whose name contains it, when set (see the suite's run()).
    env: process.env.SCALING_LENS_SUITE_GREP ? { SCALING_LENS_SUITE_GREP: process.env.SCALING_LENS_SUITE_GREP } : {},
    timeoutMs: 420_000,
    screenshotOnFailure: join(REPO, '.vscode-test/shots/suite-failure.png'),
  });
  const results =
    (run.resultsJson as { results?: { name: string; ok: boolean; error?: string }[] } | undefined)?.results ?? [];
  for (const r of results) {
    await t.test(r.name, () => assert.ok(r.ok, r.error));
  }
  assert.ok(
    results.length > 0,
    `the in-host suite reported nothing (exit ${run.exitCode}, timed out: ${run.timedOut}):\n${run.testOutput}`,
  );
  assert.equal(run.exitCode, 0, run.testOutput);
});
