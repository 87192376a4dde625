import { parseDocument, LineCounter } from 'yaml';
const kind = process.argv[2];
for (const n of [5000, 10000, 20000]) {
  const text = Array.from({ length: n }, (_, i) => kind === 'flow' ? `key_${i}: [1, 2, {a: b}]` : `key_${i}: ${i}`).join('\n');
  let t = performance.now(); const d = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: false }); const a = performance.now() - t;
  t = performance.now(); d.toJS({ maxAliasCount: 100 }); const b = performance.now() - t;
  console.log(kind, n, text.length, 'parse', a.toFixed(0), 'toJS', b.toFixed(0));
}
