// `scaling-lens watch PATH...`: follows the runs (src/core/live) and prints an update each time they change — the
// fit's text, or with --json one compact line per update in the `fit --json` shape without the per-point arrays, plus
// `update` (what changed, how the fit started, its timings). Ends with status 0 on SIGINT or SIGTERM, at once: the
// runs are followed in a thread of their own (this module, started again as a worker), so a signal is heard while an
// update reads or fits (it was heard only once a fit's synchronous work ended: 16 s into a cold fit, and the process
// then waited for the update under way, 1-5 s, printing it after the signal); the updates printed are whole, and main
// ends the process, and the follower's thread with it, once they are written. The follower's thread formats each
// update and posts its text (a few KB): the analysis itself never crosses (a million-row run's clone took 65-228 ms of
// the main thread per update, and converting its series to number[] for printing about 200 ms more).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { followRuns, type FollowOptions, type LiveUpdate } from '../core/live/follower';
import type { CliRequest } from './args';
import { fitHeadDocument, jsonShown } from '../core/report/fitDocument';
import { formatAnalysis } from './text';
import { nameOnLine, oneLine } from './terminal';

/** How main prints: through its escaping. */
export type Writer = (text: string, kind?: 'text' | 'json') => Promise<void>;

/** Run from source, the follower's thread loads TypeScript through it (named so the bundle does not take it in). */
const TSX_REQUIRE_HOOK = 'tsx/cjs';

/** What the follower's thread is started with, and what it posts: each update as printed, or an update's failure. */
export interface WatchJob {
  scalingLensWatch: { files: string[]; options: FollowOptions; json: boolean; version: string };
}
export type WatchMessage = { text: string; kind: 'text' | 'json' } | { error: string };

/** Follows until SIGINT or SIGTERM; resolves with the exit status. */
export async function watchRuns(request: CliRequest, version: string, write: Writer, fail: (text: string) => void) {
  // Listened to first: a signal during the first read must end the watch, not the process.
  const signalled = new Promise<void>((resolve) => {
    const end = () => {
      process.off('SIGINT', end);
      process.off('SIGTERM', end);
      resolve();
    };
    process.on('SIGINT', end);
    process.on('SIGTERM', end);
  });
  const read = { delimiter: request.delimiter, format: request.format };
  let printing = Promise.resolve();
  let ended = false;
  const job: WatchJob = {
    scalingLensWatch: {
      files: request.files,
      options: { analysis: request.options, read },
      json: request.json,
      version,
    },
  };
  // This file again: the CLI's bundle, or watch.ts run from source (tests), whose thread needs tsx's require hook.
  const fromSource = __filename.endsWith('.ts');
  const worker = new Worker(__filename, {
    workerData: job,
    ...(fromSource && { execArgv: ['--require', require.resolve(TSX_REQUIRE_HOOK)] }),
  });
  const crashed = new Promise<number>((resolve) =>
    worker.once('error', (error) => {
      fail(`scaling-lens: following stopped (${oneLine(error.message)})\n`);
      resolve(1);
    }),
  );
  worker.on('message', (message: WatchMessage) => {
    // After the signal: not printed, the process is ending.
    if ('text' in message) printing = printing.then(() => (ended ? undefined : write(message.text, message.kind)));
    else fail(`scaling-lens: an update failed (${oneLine(message.error)}); following goes on\n`);
  });
  const code = await Promise.race([signalled.then(() => 0), crashed]);
  ended = true;
  await printing;
  return code;
}

/**
 * The follower's thread: follows the runs and posts each update as it is printed (the main thread writes it, through
 * its escaping, and hears signals).
 */
async function followInThread({ files, options, json, version }: WatchJob['scalingLensWatch']): Promise<void> {
  await followRuns(
    files,
    options,
    (update) => parentPort?.postMessage(printed(update, json, version) satisfies WatchMessage),
    (error) => parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
}

/** An update as `watch` prints it: the fit's text after its update line, or with --json one line. */
function printed(update: LiveUpdate, json: boolean, version: string): WatchMessage {
  // Read as it is: neither prints a per-point value, so the follower's arrays are not converted (0.2 s at 1M rows).
  const { analysis } = update;
  if (!json) return { text: `${updateLine(update)}\n${formatAnalysis(analysis)}\n`, kind: 'text' };
  const line = JSON.stringify({ ...fitHeadDocument(analysis, version), update: updateJson(update) }, jsonShown);
  return { text: `${line}\n`, kind: 'json' };
}

const started = workerData as Partial<WatchJob> | null;
if (!isMainThread && started?.scalingLensWatch) void followInThread(started.scalingLensWatch);

function updateJson(update: LiveUpdate) {
  return {
    time: new Date().toISOString(),
    inputs: update.inputs,
    start: update.start,
    readMs: Math.round(update.readMs * 10) / 10,
    fitMs: Math.round(update.fitMs * 10) / 10,
  };
}

/** "== 12:03:04 run.csv: 100 rows appended (3,100 rows); warm fit in 45 ms". */
function updateLine(update: LiveUpdate): string {
  const inputs = update.inputs.map(
    (input) => `${nameOnLine(input.path)}: ${input.change} (${input.rows.toLocaleString('en-US')} rows)`,
  );
  const fit = update.start === 'none' ? 'no loss-curve fit' : `${update.start} fit`;
  const time = new Date().toISOString().slice(11, 19);
  return `== ${time} ${inputs.join('; ')}; ${fit}, read ${update.readMs.toFixed(0)} ms, analysed ${update.fitMs.toFixed(0)} ms`;
}
