// The streaming JSON tokenizer: the same events at every chunking, Python's non-finite numbers, escapes and UTF-8
// across chunk ends, positions in characters, and each kind of stop (syntax, cut short, too deep) located.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  JsonTokenizer,
  MAX_JSON_DEPTH,
  MAX_TOKEN_BYTES,
  type JsonEvents,
} from '../../../src/core/sources/json/tokenizer';

/** Every event as text, and the stop. */
function tokens(text: string | Uint8Array, chunk = Infinity): { events: string[]; stop: string | null } {
  const events: string[] = [];
  const at = (p: { line: number; column: number }) => `@${p.line}:${p.column}`;
  const sink: JsonEvents = {
    open: (kind, p) => events.push(`${kind}${at(p)}`),
    close: (kind, p) => events.push(`/${kind}${at(p)}`),
    key: (name, p) => events.push(`key ${name}${at(p)}`),
    scalar: (value, p) => events.push(`${typeof value} ${String(value)}${at(p)}`),
  };
  const tokenizer = new JsonTokenizer(sink);
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const step = Math.min(chunk, bytes.length || 1);
  for (let i = 0; i < bytes.length; i += step) tokenizer.push(bytes.subarray(i, i + step), false);
  tokenizer.push(new Uint8Array(0), true);
  const stop = tokenizer.stop;
  return { events, stop: stop && `${stop.kind} ${stop.message}${at(stop.at)}` };
}

const DOCUMENT =
  '\ufeff{\n  "a": [1, -2.5e-3, NaN, Infinity, -Infinity, true, null],\n  "é\\n\\u00e9": "x\\"ÿ€😀",\n  "o": {}\n}\n';

test('events and positions are the same at every chunking', () => {
  const whole = tokens(DOCUMENT);
  assert.equal(whole.stop, null);
  assert.deepEqual(whole.events, [
    'object@1:1',
    'key a@2:3',
    'array@2:8',
    'number 1@2:9',
    'number -0.0025@2:12',
    'number NaN@2:21',
    'number Infinity@2:26',
    'number -Infinity@2:36',
    'boolean true@2:47',
    'object null@2:53',
    '/array@2:57',
    'key é\né@3:3',
    'string x"ÿ€😀@3:16',
    'key o@4:3',
    'object@4:8',
    '/object@4:9',
    '/object@5:1',
  ]);
  for (let chunk = 1; chunk <= 9; chunk++) assert.deepEqual(tokens(DOCUMENT, chunk), whole, `chunks of ${chunk}`);
});

test('a syntax error stops the read where it is, with what was expected and found', () => {
  assert.equal(tokens('{"a" 1}').stop, `syntax expected ":" after a key, found '1'@1:6`);
  assert.equal(tokens('[1, 2,, 3]').stop, "syntax expected a value, found ','@1:7");
  assert.equal(tokens('[1] 2').stop, "syntax there is more after the end of the JSON document ('2')@1:5");
  assert.equal(tokens('[nan]').stop, 'syntax "nan" is not a JSON value@1:2');
  assert.equal(tokens('["a\nb"]').stop, 'syntax a string holds a raw control character or line break@1:4');
  assert.equal(tokens('   ').stop, 'syntax the file holds no JSON value@1:4');
});

test('a document cut short says so at its end; a bare number at the very end is whole', () => {
  assert.equal(tokens('{"a": [1, 2').stop, 'truncated the document ends with 2 array(s) or object(s) still open@1:12');
  assert.equal(tokens('{"a": "ab').stop, 'truncated the document ends inside a string@1:10');
  assert.deepEqual(tokens('42'), { events: ['number 42@1:1'], stop: null });
});

test('a value nested past the limit is skipped whole and stands as null, in bounded memory; the read goes on', () => {
  const open = '['.repeat(MAX_JSON_DEPTH);
  const close = ']'.repeat(MAX_JSON_DEPTH);
  // Brackets inside strings of the skipped value do not count; a value after it is read, at every chunking.
  const deep = `${open}[{"a": "]]]\\"["}, ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}], 7${close}`;
  for (const chunk of [Infinity, 4096, 7]) {
    if (chunk === 7 && deep.length > 1e5) continue;
    const { events, stop } = tokens(deep, chunk);
    assert.equal(stop, null);
    assert.equal(events[MAX_JSON_DEPTH], `object null@1:${MAX_JSON_DEPTH + 1}`);
    assert.match(events[MAX_JSON_DEPTH + 1], /^number 7@1:\d+$/);
  }
  const cut = tokens('['.repeat(1_000_000));
  assert.equal(cut.events.length, MAX_JSON_DEPTH);
  assert.equal(
    cut.stop,
    `truncated the document ends inside a value nested over ${MAX_JSON_DEPTH} levels deep@1:1000001`,
  );
});

test('an over-long string keeps its first bytes only, and the read goes on', () => {
  const { events, stop } = tokens(`["${'x'.repeat(MAX_TOKEN_BYTES + 10)}", 1]`, 65536);
  assert.equal(stop, null);
  assert.equal(events[1], `string ${'x'.repeat(MAX_TOKEN_BYTES)}@1:2`);
  assert.equal(events[2], `number 1@1:${MAX_TOKEN_BYTES + 16}`);
});
