// Worker entry (bundled as dist/parseWorker.js): parses the second part of a large file for readTable, see
// parallel.ts. The part's typed arrays are moved back to the reading thread, not copied.
import { parentPort, workerData } from 'node:worker_threads';
import { transferList, type PartJob, type PartReply } from './parallel';
import { readPart } from './read';

async function main(): Promise<void> {
  const reply: PartReply = await readPart(workerData as PartJob).catch((error: unknown) => ({ ok: false, reason: String(error) }) as const);
  parentPort?.postMessage(reply, reply.ok ? transferList(reply.part) : []);
}

void main();
