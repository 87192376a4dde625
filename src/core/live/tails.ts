// Which tail follows an input: the source that recognises it (src/core/sources) names its format, and a format with
// an incremental reader has a tail here; every other input is read again whole when it changes. A new incremental
// format (the TensorBoard event reader, resumed at its first unconsumed byte) is one line in TAILS.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { SOURCES, type SourceOptions } from '../sources';
import { recognise } from '../sources/registry';
import { readHead } from '../sources/scan';
import { extensionOf } from '../table/detect';
import type { FileFormat } from '../table/types';
import type { Tail } from './tail';
import { TextTail } from './textTail';
import { WholeTail } from './wholeTail';

type TailFactory = (path: string, options: SourceOptions) => Tail;

const textTail: TailFactory = (path, options) => new TextTail(path, options);

/** Formats read incrementally, by the format their source reports. */
const TAILS: Partial<Record<FileFormat, TailFactory>> = { csv: textTail, tsv: textTail, jsonl: textTail };

/** Extensions taken as text tables when the file does not exist yet (a run about to start). */
const TEXT_EXTENSIONS = new Set(['csv', 'tsv', 'jsonl', 'ndjson', 'txt', 'log']);

/** The tail that follows `path`. */
export async function tailFor(path: string, options: SourceOptions = {}): Promise<Tail> {
  const forced = options.format !== undefined && options.format !== 'auto' ? TAILS[options.format] : undefined;
  if (forced) return forced(path, options);
  const info = await stat(path).catch(() => null);
  if (info === null)
    return TEXT_EXTENSIONS.has(extensionOf(path)) ? textTail(path, options) : new WholeTail(path, options);
  if (!info.isFile()) return new WholeTail(path, options);
  const probe = {
    path,
    name: basename(path),
    isDirectory: false,
    head: await readHead(path),
    entries: [],
    scanned: false,
  };
  const source = recognise(probe, SOURCES);
  const factory = source && TAILS[source.format];
  return factory ? factory(path, options) : new WholeTail(path, options);
}
