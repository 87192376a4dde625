// Export Fit's memory (`node --import tsx bench/exportChild.ts <file>`): the bundled language server (dist/server.js)
// in its own process fits a loss log from disk, then its peak RSS is reset (Linux /proc clear_refs) and the export's
// document is fetched as the client fetches it. Peer: the CLI's `fit --json` of the same file, the same document
// written by the same writer, its whole process's peak RSS (fit included). Prints one JSON line.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportedText, spawnTestServer } from '../test/helpers/lsp';
import { FitFileRequest } from '../src/shared/protocol';
import { REPO_DIR } from './paths';

export interface ExportOutcome {
  rows: number;
  /** The exported document's length in bytes, and the CLI's (equal but for timings). */
  documentBytes: number;
  cliBytes: number;
  exportMs: number;
  /** The server's RSS once the fit is done, and its peak during the export alone. */
  rssBeforeMB: number;
  exportPeakRssMB: number;
  /** The CLI's `fit --json` whole process, fit included (its max RSS as the kernel counts it). */
  cliPeakRssMB: number;
}

function serverMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** The CLI's `fit --json` of `file` to stdout, its max RSS read by GNU time (-f %M, in kB). */
function cliExport(file: string): { bytes: number; peakRss: number } {
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', process.execPath, join(REPO_DIR, 'dist/cli.js'), 'fit', file, '--json'],
    { encoding: 'utf8', maxBuffer: 2 ** 31 - 1 },
  );
  if (run.status !== 0) throw new Error(`cli failed: ${run.stderr}`);
  const kb = Number(run.stderr.trim().split('\n').pop());
  return { bytes: Buffer.byteLength(run.stdout), peakRss: kb * 1024 };
}

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  const uri = pathToFileURL(file).toString();
  const client = await spawnTestServer();
  try {
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    if (summary.state !== 'done') throw new Error(`the fit ended ${summary.state}`);
    await new Promise((r) => setTimeout(r, 1000)); // the chart model and the follower settle
    const rssBefore = serverMemory(client.pid).rss;
    writeFileSync(`/proc/${client.pid}/clear_refs`, '5'); // VmHWM := VmRSS
    const t0 = performance.now();
    const text = (await exportedText(client, uri)) ?? '';
    const exportMs = performance.now() - t0;
    const memory = serverMemory(client.pid);
    const cli = cliExport(file);
    const outcome: ExportOutcome = {
      rows: (readFileSync(file, 'utf8').match(/\n/g)?.length ?? 1) - 1,
      documentBytes: Buffer.byteLength(text),
      cliBytes: cli.bytes,
      exportMs,
      rssBeforeMB: rssBefore / 2 ** 20,
      exportPeakRssMB: memory.peak / 2 ** 20,
      cliPeakRssMB: cli.peakRss / 2 ** 20,
    };
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } finally {
    client.dispose();
  }
  setTimeout(() => process.exit(0), 100);
}

void main();
