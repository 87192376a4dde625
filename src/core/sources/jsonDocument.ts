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
    const lines = ext === 'jsonl' || ext === 'ndjson';
    // A JSON Lines name over one array of records (json.dump of a list of dicts) is that document: the content
    // decides, as JSON Lines in a .json file stay JSON Lines. Read as lines, its one line was skipped, every row lost.
    if (lines && shape === 'records') return true;
    if (probe.scanned) return ext === 'json' && table;
    // Named by the user: a document of a shape read, or any other .json (it is said what it holds). JSON Lines, and
    // a file of JSON lines too long for the probe to see one end, stay text.
    return !lines && (table || (ext === 'json' && shape === 'other'));
  },
  async read(path, options) {
    return [await readJsonDocument(path, { ...options, reportAs: 'json' })];
  },
};
