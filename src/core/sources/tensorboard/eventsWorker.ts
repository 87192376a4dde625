// Worker entry (bundled as dist/eventsWorker.js): reads the later part of a large event file for a read in two, see
// split.ts. Its job comes as workerData; each part of its log is moved to the reading thread, not copied.
import { parentPort, workerData } from 'node:worker_threads';
import { transferList } from './eventLog';
import { readLaterPart, type EventsJob } from './split';

void readLaterPart(workerData as EventsJob, (message) =>
  parentPort?.postMessage(message, message.ok ? transferList(message.log) : []),
);
