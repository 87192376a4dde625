// Which tail follows an input: the source that recognises it (src/core/sources) names its format, and a format with
// an incremental reader has a tail here: the text tables and the JSON Lines formats read through them (complete lines
// appended), TensorBoard event files and run folders (records appended, new files). A folder of runs has a tail per
// run its scan finds, picked the same way (folderTail.ts). Every other input (a JSON document, the other run folders)
// is read again whole when it changes, at the follower's pace.
import { readdir, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { SOURCES, type SourceOptions } from '../sources';
import { withScheduleEnd } from '../sources/llamaFactory';
import { recognise } from '../sources/registry';
import { readHead } from '../sources/scan';
import { asWandbHistory } from '../sources/wandb';
import { extensionOf } from '../table/detect';
import type { FileFormat } from '../table/types';
import { EventTail } from './eventTail';
import { FolderTail, type RunTailFactory } from './folderTail';
import type { Tail } from './tail';
import { TextTail } from './textTail';
import { WholeTail } from './wholeTail';

type TailFactory = (path: string, options: SourceOptions) => Tail;

const textTail: TailFactory = (path, options) => new TextTail(path, options);

/** Formats read incrementally, by the format their source reports. */
const TAILS: Partial<Record<FileFormat, TailFactory>> = {
  csv: textTail,
  tsv: textTail,
  jsonl: textTail,
  'llama-factory': (path, options) => new TextTail(path, options, withScheduleEnd),
  'wandb-history': (path, options) => new TextTail(path, options, asWandbHistory),
  tensorboard: (path, options) => new EventTail(path, options),
};

const wholeTail: TailFactory = (path, options) => new WholeTail(path, options);

/** Formats read incrementally in a folder of runs: as alone, but a TensorBoard run folder is named by the scan. */
const RUN_TAILS: Partial<Record<FileFormat, TailFactory>> = {
  ...TAILS,
  tensorboard: (path, options) => new EventTail(path, options, true),
};

/** A run found in a folder of runs: its format's tail, else read again whole by its source (as a read of the folder). */
export const runTail: RunTailFactory = ({ path, source }, options) =>
  RUN_TAILS[source.format]?.(path, options) ??
  new WholeTail(path, options, { read: async (at, o) => ({ tables: await source.read(at, o), problems: [] }) });

/** Extensions taken as text tables when the file does not exist yet (a run about to start). */
const TEXT_EXTENSIONS = new Set(['csv', 'tsv', 'jsonl', 'ndjson', 'txt', 'log']);

/** The tail that follows `path`. */
export async function tailFor(path: string, options: SourceOptions = {}): Promise<Tail> {
  const forced = options.format !== undefined && options.format !== 'auto' ? TAILS[options.format] : undefined;
  if (forced) return forced(path, options);
  const info = await stat(path).catch(() => null);
  if (info === null)
    return TEXT_EXTENSIONS.has(extensionOf(path)) ? textTail(path, options) : new WholeTail(path, options);
  if (!info.isFile() && !info.isDirectory()) return new WholeTail(path, options);
  const folder = info.isDirectory();
  const probe = {
    path,
    name: basename(path),
    isDirectory: folder,
    head: folder ? new Uint8Array(0) : await readHead(path),
    entries: folder ? await readdir(path).catch(() => [] as string[]) : [],
    scanned: false,
  };
  const source = recognise(probe, SOURCES);
  // A folder no source reads as a run (nor as runs of its own: an MLflow experiment) is a folder of runs.
  if (folder && source === null) return new FolderTail(path, options, runTail);
  // A run folder is read incrementally only by TensorBoard's tail (the others are read whole).
  if (folder && source?.format !== 'tensorboard') return wholeTail(path, options);
  return ((source && TAILS[source.format]) ?? wholeTail)(path, options);
}
