import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBytes, parseText } from '../../../src/core/table';
import { plain } from './helpers';

// The language server sends its worker a document as UTF-8 bytes (a transferable buffer), not as a string.
test('a document given as UTF-8 bytes parses exactly as its text does', () => {
  const documents: Record<string, string> = {
    'bom-crlf.csv': '\ufeffrun,note,loss\r\n"a,b","say ""hi""",1.5\r\nrésumé,日本語,2.25e-3\r\n',
    'history.jsonl': '{"_step":0,"train":{"loss":4.5}}\n{"_step":1,"eval/loss":NaN}\n{"bad": }\n{"_step":2,"note":"é"}',
  };
  for (const [name, text] of Object.entries(documents)) {
    const expected = plain(parseText(text, { fileName: name }));
    const encoded = new TextEncoder().encode(text);
    assert.deepEqual(plain(parseBytes(encoded, { fileName: name })), expected, `${name} from a Uint8Array`);
    // A view into a larger buffer, as a transferred message may hold.
    const padded = new Uint8Array(encoded.length + 16);
    padded.set(encoded, 8);
    assert.deepEqual(
      plain(parseBytes(padded.subarray(8, 8 + encoded.length), { fileName: name })),
      expected,
      `${name} from a view`,
    );
  }
});
