// A workspace folder holding hostile entries beside its runs: an event file and an hparams.yaml that are FIFOs (a read
// of either blocked forever), /dev/zero behind an event file's name, a symbolic link loop and a link to /. Fit on the
// folder and the Runs view both answer, fit the good runs, and name each entry left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnalysisRequest, FitFileRequest } from '../../src/shared/protocol';
import { RunsRequest } from '../../src/shared/runs';
import { hostileScratch } from '../helpers/hostileScratch';
import { startTestServer } from '../helpers/lsp';
import { REPO } from '../helpers/shared';
import { EventFileWriter } from '../helpers/eventWriter';

const uriOf = (path: string) => pathToFileURL(path).toString();
const { root, fifo } = hostileScratch('scaling-lens-hostile-folders-');

function hostileFolder(): string {
  const runs = join(root, 'runs');
  mkdirSync(join(runs, 'later'), { recursive: true });
  copyFileSync(join(REPO, 'examples/loss/constant.csv'), join(runs, 'constant.csv'));
  copyFileSync(join(REPO, 'examples/loss/cosine.csv'), join(runs, 'later', 'cosine.csv'));
  const tb = join(runs, 'tb');
  new EventFileWriter().scalar('train/loss', 10, 3).write(tb);
  fifo(join(tb, 'events.out.tfevents.1800000000.host.1.0'));
  symlinkSync('/dev/zero', join(tb, 'events.out.tfevents.1900000000.host.1.0'));
  symlinkSync(runs, join(runs, 'later', 'loop'));
  symlinkSync('/', join(runs, 'slash'));
  return runs;
}

test(
  'Fit on a folder and the Runs view answer beside FIFOs, devices and link loops, naming what they left out',
  { skip: process.platform === 'win32' && 'FIFOs and /dev/zero are POSIX', timeout: 60_000 },
  async () => {
    const client = await startTestServer();
    try {
      client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
      const folder = hostileFolder();
      const uri = uriOf(folder);
      const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
      const analysis = await client.rpc.sendRequest(AnalysisRequest, { uri });
      assert.deepEqual(analysis?.curves.map((c) => c.name).sort(), ['constant', 'later/cosine', 'tb'], summary.message);
      assert.equal(analysis?.fits[0].fittedOn.length, 2, 'the good runs are fitted');
      const said = analysis?.findings.map((f) => f.message).join('\n') ?? '';
      assert.match(said, /events\.out\.tfevents\.1800000000\.host\.1\.0 is a FIFO \(named pipe\), not a regular file/);
      assert.match(said, /events\.out\.tfevents\.1900000000\.host\.1\.0 is a character device/);
      assert.match(said, /symbolic link\(s\) to a folder that holds this one were not followed \(slash\)/);

      const listed = await client.rpc.sendRequest(RunsRequest, { roots: [uri] });
      assert.deepEqual(listed.runs.map((r) => r.name).sort(), ['constant', 'later/cosine', 'tb']);
    } finally {
      client.dispose();
    }
  },
);
