// Any JSON document that is not JSON Lines: an array of records or an object of column arrays (json/document.ts).
// In a folder scan only `.json` files of those shapes are runs: configs, tokenizer files and results summaries are
// other JSON, skipped with the other files that are not runs.
import { extensionOf } from '../table/detect';
import { readJsonDocument } from './json/document';
import { jsonShape } from './json/shape';
import type { Probe, Source } from './types';

export const jsonDocumentSource: Source = {
  format: 'json',
  recognise(probe: Probe): boolean {
    if (probe.isDirectory) return false;
    const shape = jsonShape(probe.head);
    if (probe.scanned) return extensionOf(probe.name) === 'json' && (shape === 'records' || shape === 'columns');
    // Named by the user: any JSON document (its shape is said if it is not one that is read); JSON Lines stay text.
    const ext = extensionOf(probe.name);
    return ext !== 'jsonl' && ext !== 'ndjson' && shape !== 'jsonl' && shape !== 'not-json';
  },
  async read(path, options) {
    return [await readJsonDocument(path, { ...options, reportAs: 'json' })];
  },
};
