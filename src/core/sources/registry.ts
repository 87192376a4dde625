// Every source, in the order they are asked: specific formats first, the text reader last (it takes any file named by
// the user). A new format is one module and one line here.
import { dvcliveSource } from './dvclive';
import { lightningSource } from './lightning';
import { mlflowSource } from './mlflow';
import { tensorboardSource } from './tensorboard';
import { hfTrainerStateSource } from './hfTrainer';
import { jsonDocumentSource } from './jsonDocument';
import { llamaFactorySource } from './llamaFactory';
import { textSource } from './text';
import type { Probe, Source } from './types';
import { wandbHistorySource, wandbRunSource } from './wandb';
import type { FileFormat } from '../table/types';

/**
 * Folders first by how specific their marks are (a W&B run folder, an HF output_dir, a Lightning version_N); a
 * Lightning version_N folder may hold both metrics.csv and event files (two loggers): the CSV is taken, it holds every
 * logged value merged on step. Among files the JSON document reader comes last before the text reader.
 */
export const SOURCES: readonly Source[] = [
  wandbRunSource,
  hfTrainerStateSource,
  lightningSource,
  tensorboardSource,
  mlflowSource,
  dvcliveSource,
  llamaFactorySource,
  wandbHistorySource,
  jsonDocumentSource,
  textSource,
];

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
