// A run file opened through a symbolic link and through its real path: two documents of one file. The server fits
// the file once and shares the analysis, each document with its own lenses and diagnostics under its own URI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInWorker, type Runner } from '../../src/server/runner';
import { startTestServer } from '../helpers/lsp';
import { scratchDir } from '../helpers/scratch';
import { powerLawRows } from '../helpers/syntheticLoss';

test('a file and a symbolic link to it, both open: one fit, the same lenses and diagnostics at each URI', async () => {
  const dir = scratchDir('scaling-lens-symlink-');
  // A row the reader rejects, so each document has a diagnostic to show.
  const text = `step,lr,loss\n${powerLawRows(0, 20)}2100,0.0003,oops\n${powerLawRows(21, 40)}`;
  writeFileSync(join(dir, 'run.csv'), text);
  symlinkSync(join(dir, 'run.csv'), join(dir, 'latest.csv'));
  const [real, link] = ['run.csv', 'latest.csv'].map((name) => pathToFileURL(join(dir, name)).toString());
  const jobs: string[] = [];
  const runner: Runner = (job, signal, provisional) => {
    jobs.push(job.path);
    return runInWorker(job, signal, provisional);
  };
  const client = await startTestServer({ runner });
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    await client.open(real, text);
    await client.open(link, text);
    for (const uri of [real, link]) assert.equal((await client.status(uri, (s) => s.state === 'done')).state, 'done');
    assert.deepEqual(jobs, [join(dir, 'run.csv')], 'one fit of the real file');
    const [atReal, atLink] = await Promise.all([real, link].map((uri) => client.lenses(uri)));
    assert.ok(atReal.length > 0);
    assert.deepEqual(
      atLink.map((l) => l.command?.title),
      atReal.map((l) => l.command?.title),
    );
    // Each lens acts on its own document.
    assert.deepEqual(atLink[0].command?.arguments?.[0], link);
    assert.deepEqual(atReal[0].command?.arguments?.[0], real);
    const [dReal, dLink] = await Promise.all(
      [real, link].map((uri) => client.diagnostics(uri, (d) => d.some((x) => x.range.start.line === 21))),
    );
    assert.deepEqual(
      dLink.map((d) => [d.code, d.range.start.line, d.message]),
      dReal.map((d) => [d.code, d.range.start.line, d.message]),
    );
  } finally {
    client.dispose();
  }
});
