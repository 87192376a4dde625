// Worker entry (bundled as dist/eventsWorker.js): reads the later part of a large event file for a read in two, see
// split.ts. Its job comes as workerData; each part of its log is moved to the reading thread, not copied, and the
// reading thread gives each part's buffers back once it has replayed them, to write later parts into.
import { parentPort, workerData } from 'node:worker_threads';
import { EventLog, logBuffers, transferList, type LogBuffers } from './eventLog';
import { readLaterPart, type EventsJob } from './split';

const log = new EventLog();
parentPort?.on('message', (buffers: LogBuffers) => log.recycle(buffers));
// Buffers given back do not keep the worker alive once its read is done.
parentPort?.unref();
void readLaterPart(
  workerData as EventsJob,
  (message) => parentPort?.postMessage(message, message.ok ? transferList(logBuffers(message.log)) : []),
  log,
);
