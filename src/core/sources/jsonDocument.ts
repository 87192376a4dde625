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
    const ext = extensionOf(probe.name);
    const table = shape === 'records' || shape === 'columns';
    if (probe.scanned) return ext === 'json' && table;
    // Named by the user: a document of a shape read, or any other .json (it is said what it holds). JSON Lines, and
    // a file of JSON lines too long for the probe to see one end, stay text.
    return ext !== 'jsonl' && ext !== 'ndjson' && (table || (ext === 'json' && shape === 'other'));
  },
  async read(path, options) {
    return [await readJsonDocument(path, { ...options, reportAs: 'json' })];
  },
};
