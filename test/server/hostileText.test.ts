// Run names holding terminal escapes, a right-to-left override and VS Code's `$(icon)` syntax: the lenses (plain
// text) and hovers (Markdown) show them as visible text, never raw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FitFileRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { scratchDir } from '../helpers/scratch';

/** Characters no label should hold raw: controls, DEL, C1 and the bidirectional formatting characters. */
const UNSEEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

test('lenses and hovers show run names holding escapes, bidi overrides and $(icon) as visible text', async () => {
  const names = ['a\u001b]0;owned\u0007', 'b\u202eevil', '$(alert) c'];
  let text = 'step,lr,loss,run\n';
  names.forEach((name, r) => {
    for (let s = 100; s <= 3000; s += 100)
      text += `${s},3e-4,${((1 + r / 50) * (2.5 + 3 * s ** -0.4)).toFixed(5)},"${name}"\n`;
  });
  const uri = pathToFileURL(join(scratchDir('scaling-lens-text-'), 'runs.csv')).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    await client.open(uri, text);
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(summary.state, 'done', summary.message);
    const lenses = await client.lenses(uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.length >= 4, titles.join('\n'));
    for (const l of lenses) {
      assert.doesNotMatch(l.command?.title ?? '', UNSEEN, l.command?.title);
      assert.doesNotMatch(String(l.command?.tooltip ?? ''), UNSEEN);
      assert.doesNotMatch(l.command?.title ?? '', /(^|[^\\])\$\(/, 'no icon drawn from a name');
    }
    assert.ok(
      titles.some((t) => t.includes('b\\u202eevil')),
      titles.join('\n'),
    );
    assert.ok(
      titles.some((t) => t.includes('a\\x1b]0;owned\\x07')),
      titles.join('\n'),
    );
    const hovers: string[] = [];
    for (const line of [1, 31, 61]) {
      const contents = (await client.hover(uri, line))?.contents;
      hovers.push(typeof contents === 'object' && 'value' in contents ? contents.value : String(contents));
    }
    assert.doesNotMatch(hovers.join('\n'), UNSEEN);
    assert.match(hovers.join('\n'), /b\\\\u202eevil/, hovers.join('\n'));
  } finally {
    client.dispose();
  }
});

test('Problems-panel diagnostics and the fit summary show control and bidi characters of a file as visible text', async () => {
  // No LR column: each run gets an error quoting its name, and the summary quotes the first.
  const names = ['a\u001b]52;c;eA==\u0007', 'b\u202eevil', 'c\u009b31m\nd'];
  let text = '';
  names.forEach((name, r) => {
    for (let s = 100; s <= 3000; s += 100)
      text += `${JSON.stringify({ run: name, step: s, loss: 2.5 + r + 3 * s ** -0.4 })}\n`;
  });
  const uri = pathToFileURL(join(scratchDir('scaling-lens-text-'), 'runs.jsonl')).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    await client.open(uri, text);
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(summary.state, 'error');
    assert.doesNotMatch(summary.message, UNSEEN_OR_LINE, summary.message);
    assert.match(summary.message, /a\\x1b\]52;c;eA==\\x07/, summary.message);
    const diagnostics = await client.diagnostics(uri, (d) => d.length >= 3);
    const messages = diagnostics.flatMap((d) => [
      typeof d.message === 'string' ? d.message : d.message.value,
      ...(d.relatedInformation ?? []).map((r) => r.message),
    ]);
    for (const m of messages) assert.doesNotMatch(m, UNSEEN_OR_LINE, m);
    assert.ok(
      messages.some((m) => m.includes('b\\u202eevil')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.includes('c\\x9b31m\\x0ad')),
      messages.join('\n'),
    );
  } finally {
    client.dispose();
  }
});

/** UNSEEN and the line feed: a message is one line. */
const UNSEEN_OR_LINE = new RegExp(`${UNSEEN.source}|\\n`);

// VS Code's notifications make `[label](command:...)` a link (src/vs/base/common/linkedText.ts, this pattern); the
// language status item draws `$(icon)`.
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;

test('a file named like a command link, an icon or with a newline is plain text in the fit summary', async () => {
  const name = '[Open](command:workbench.action.quit) $(alert)\n[x](file:etc) <img src=x onerror=1>';
  const path = join(scratchDir('scaling-lens-text-'), `${name}.csv`);
  const uri = pathToFileURL(path).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    let text = 'step,lr,loss\n';
    for (let s = 100; s <= 3000; s += 100) text += `${s},3e-4,${(2.5 + 3 * s ** -0.4).toFixed(5)}\n`;
    await client.open(uri, text);
    const done = await client.rpc.sendRequest(FitFileRequest, { uri });
    // Its name has no loss column: the failure names the file.
    await client.change(uri, 'step,lr\n1,2\n', 2);
    const failed = await client.rpc.sendRequest(FitFileRequest, { uri });
    for (const summary of [done, failed]) {
      assert.doesNotMatch(summary.message, NOTIFICATION_LINK, summary.message);
      assert.doesNotMatch(summary.message, /(^|[^\\])\$\(/, summary.message);
      assert.doesNotMatch(summary.message, UNSEEN_OR_LINE, summary.message);
    }
    assert.match(
      done.message,
      /\[Open\]\\\(command:workbench\.action\.quit\) \\\$\(alert\)\\x0a\[x\]\\\(file:etc/,
      done.message,
    );
  } finally {
    client.dispose();
  }
});

test("a power law's formula, units and log line naming a column with a backtick, a link and a newline show it as text", async () => {
  // The power law's formula and units name its columns. A backtick closed the formula's code span in the header hover,
  // so the rest of the name was Markdown (a live link); the units and the log line (Show Log) held it raw.
  const name = 'loss` [x](command:evil) \u202e\n<b>y</b>';
  let text = `step,"${name}"\n`;
  for (let s = 100; s <= 3000; s += 100) text += `${s},${(2.5 + 3 * s ** -0.4).toFixed(5)}\n`;
  const uri = pathToFileURL(join(scratchDir('scaling-lens-text-'), 'power.csv')).toString();
  const client = await startTestServer();
  const logged: string[] = [];
  client.rpc.onNotification('window/logMessage', (m: { message: string }) => {
    logged.push(m.message);
  });
  try {
    client.settings = { law: 'power', columns: { loss: name }, fit: { bootstrapSamples: 0 } };
    await client.open(uri, text);
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(summary.state, 'done', summary.message);
    const contents = (await client.hover(uri, 0))?.contents;
    const hover = typeof contents === 'object' && contents !== null && 'value' in contents ? contents.value : '';
    const formula = hover.split('\n').find((l) => l.includes('= E + A *'));
    assert.ok(formula, hover);
    // A code span fenced by more backticks than any run inside it, the newline and the override shown as text.
    const fence = /^`+/.exec(formula)?.[0] ?? '';
    assert.ok(formula.endsWith(fence), formula);
    assert.ok(
      fence.length > Math.max(...(formula.slice(fence.length, -fence.length).match(/`+/g) ?? []).map((r) => r.length)),
    );
    assert.match(formula, /\\u202e <b>y<\/b>/, formula);
    // Outside the formula's span the name is escaped text: its link is no link, its tag no tag.
    const rest = hover.replace(formula, '');
    assert.match(rest, /loss\\` \\\[x\\\]\\\(command\\:evil\\\) \\\\u202e \\<b\\>y\\<\\\/b\\> units/, rest);
    assert.doesNotMatch(rest, /(^|[^\\])\]\(command:evil|(^|[^\\])<b>/, rest);
    assert.doesNotMatch(hover.replace(/\n/g, ''), UNSEEN);
    const detail = logged.find((l) => l.includes('power: '));
    assert.ok(detail, logged.join('\n'));
    assert.doesNotMatch(detail, UNSEEN_OR_LINE, detail);
    assert.match(detail, /\\u202e\\x0a<b>y<\/b> = E \+ A \* step/, detail);
  } finally {
    client.dispose();
  }
});
