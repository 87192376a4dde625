// Runs the in-host suite (test/vscode/suite) inside a real VS Code (code-server) against the built extension.
// Each in-host case is reported here as its own subtest, so the summary counts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExtensionTests } from '../../scripts/vscode-host/host.mjs';
import { REPO } from '../helpers/shared';

/** A workspace with the examples and a loss log over 50 MB (VS Code never syncs such files to extensions). */
function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scaling-lens-ws-'));
  for (const sub of ['loss', 'downstream', 'compute']) cpSync(join(REPO, 'examples', sub), join(dir, sub), { recursive: true });
  mkdirSync(join(dir, 'big'));
  const fd = openSync(join(dir, 'big', 'long_run.csv'), 'w');
  writeSync(fd, 'step,lr,loss,grad_norm\n');
  const rows = 1_700_000;
  const chunk: string[] = [];
  for (let s = 1; s <= rows; s++) {
    const lr = s < 2000 ? (3e-4 * s) / 2000 : 3e-4 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (s - 2000)) / (rows - 2000))));
    const loss = 2.5 + 4 * Math.pow(s, -0.45) + 0.002 * Math.sin(s * 12.9898);
    chunk.push(`${s},${lr.toPrecision(6)},${loss.toFixed(5)},${(1 + 0.1 * Math.cos(s)).toFixed(4)}`);
    if (chunk.length === 50000) {
      writeSync(fd, chunk.join('\n') + '\n');
      chunk.length = 0;
    }
  }
  if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
  closeSync(fd);
  return dir;
}

test('the extension in a real VS Code', { timeout: 600_000 }, async (t) => {
  const workspace = makeWorkspace();
  const run = await runExtensionTests({
    workspace,
    extensionDevelopmentPath: REPO,
    extensionTestsPath: join(REPO, 'out/test/vscode/suite.js'),
    settings: { 'scalingLens.fit.bootstrapSamples': 100 },
    timeoutMs: 420_000,
    screenshotOnFailure: join(REPO, '.vscode-test/shots/suite-failure.png'),
  });
  const results = (run.resultsJson as { results?: { name: string; ok: boolean; error?: string }[] } | undefined)?.results ?? [];
  for (const r of results) {
    await t.test(r.name, () => assert.ok(r.ok, r.error));
  }
  assert.ok(results.length > 0, `the in-host suite reported nothing (exit ${run.exitCode}, timed out: ${run.timedOut}):\n${run.testOutput}`);
  assert.equal(run.exitCode, 0, run.testOutput);
});
