// Every source, in the order they are asked: specific formats first, the text reader last (it takes any file named by
// the user). A new format is one module and one line here.
import { dvcliveSource } from './dvclive';
import { lightningSource } from './lightning';
import { mlflowSource } from './mlflow';
import { textSource } from './text';
import type { Probe, Source } from './types';
import type { FileFormat } from '../table/types';

export const SOURCES: readonly Source[] = [lightningSource, mlflowSource, dvcliveSource, textSource];

/** The source that recognises the probe, or null. */
export function recognise(probe: Probe, sources: readonly Source[] = SOURCES): Source | null {
  for (const source of sources) if (source.recognise(probe)) return source;
  return null;
}

/** The source of a format forced by the user (every text format is the text reader's). */
export function sourceOf(format: FileFormat): Source {
  return SOURCES.find((s) => s.format === format) ?? textSource;
}

/** The format names a user may force, for the CLI's and the settings' validation. */
export function forceableFormats(): FileFormat[] {
  return [...new Set<FileFormat>(['csv', 'tsv', 'jsonl', ...SOURCES.map((s) => s.format)])];
}
