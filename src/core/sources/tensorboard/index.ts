// TensorBoard event files (PyTorch SummaryWriter, Lightning, Keras, JAX): a single event file, or a run folder.
// Recognised by name (`tfevents` in a file's name, a folder holding such files or split sub-folders of them) or by
// content (the first bytes are a TFRecord header whose CRC matches, framing an Event). A single file is named by its
// folder (the run); a run folder is named by the scan that found it. The incremental reader a live follower uses is
// `readEvents` (eventFile.ts).
import { basename, dirname, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { binaryReason } from '../../table/detect';
import type { Table } from '../../table/types';
import type { Probe, Source, SourceOptions } from '../types';
import { viewOf } from './crc32c';
import { EventDecoder } from './events';
import { isEventFileName, isSplitRun, runFiles, type EventFileRef } from './layout';
import { dataValid, FOOTER_BYTES, HEADER_BYTES, headerValid, recordLength } from './records';
import { RunReader } from './run';

export { readEvents, EventDecoder, type EventSink, type EventsRead, type SkippedKind } from './eventFile';

/**
 * Whether the bytes begin with a TFRecord holding an Event: the length's CRC matches and, when the whole first record
 * is in the bytes (a file's first record is its small file_version event), so do the data's CRC and the decoding.
 */
export function startsWithEventRecord(head: Uint8Array): boolean {
  const view = viewOf(head);
  if (head.length < HEADER_BYTES || !headerValid(view, 0)) return false;
  const length = recordLength(view, 0);
  const end = HEADER_BYTES + length;
  if (end + FOOTER_BYTES > head.length) return true;
  if (!dataValid(view, HEADER_BYTES, length)) return false;
  const ignore = () => undefined;
  return new EventDecoder({ scalar: ignore, sessionStart: ignore, skipped: ignore }).decode(head, HEADER_BYTES, end);
}

export const tensorboardSource: Source = {
  format: 'tensorboard',
  recognise(probe: Probe): boolean {
    if (probe.isDirectory) return probe.entries.some(isEventFileName) || isSplitRun(probe.path, probe.entries);
    if (startsWithEventRecord(probe.head)) return true;
    // By name: unless it is text (a CSV export someone named after its event file); a corrupt start is still ours.
    const { head } = probe;
    return (
      isEventFileName(probe.name) && (head.length === 0 || binaryReason(head, 0, head.length, probe.name) !== null)
    );
  },
  async read(path: string, options: SourceOptions): Promise<Table[]> {
    const info = await stat(path).catch(() => null);
    const isFolder = info?.isDirectory() ?? false;
    const files: EventFileRef[] = isFolder ? await runFiles(path) : [{ path, shown: basename(path), prefix: '' }];
    const reader = new RunReader(options.displayName ?? path, options);
    await reader.readFiles(files);
    return [reader.finish(eventRunName(path, isFolder))];
  },
};

/** A file is named by its folder, the run; a folder by the scan that found it (its path under the folder given). */
export function eventRunName(path: string, isFolder: boolean): string | undefined {
  return isFolder ? undefined : basename(dirname(resolve(path)));
}
