// Worker entry (bundled as dist/parseWorker.js): parses the second part of a large file for readTable, see
// parallel.ts. It is started early and waits for its part; the part's typed arrays are moved back to the reading
// thread, not copied.
import { parentPort } from 'node:worker_threads';
import { readPart, transferList, type PartJob, type PartReply } from './parallel';

async function run(job: PartJob): Promise<void> {
  const reply: PartReply = await readPart(job).catch(
    (error: unknown) => ({ ok: false, reason: String(error) }) as const,
  );
  parentPort?.postMessage(reply, reply.ok ? transferList(reply.part) : []);
}

parentPort?.once('message', (job: PartJob) => void run(job));
