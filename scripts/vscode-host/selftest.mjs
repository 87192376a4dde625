#!/usr/bin/env node
// Self-test of the VS Code test host (host.mjs) against a throwaway sample extension that this file writes to a temp
// dir: a passing in-host suite (exit 0 + results JSON), a failing one (exit != 0, message in the logs), UI flows
// driven by playwright (explorer context menu, CodeLens, hover, Problems panel, command palette) with screenshots,
// and installing a .vsix. Runs setup.mjs first if needed. Prints "N passed, N failed" at the end; exit 1 on failure.
//
// Usage: node scripts/vscode-host/selftest.mjs [--out DIR]   (screenshots + timings.json; default .vscode-test/selftest)
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { ensureHost, REPO_ROOT, runExtensionTests, startHost } from './host.mjs';

const outArg = process.argv.indexOf('--out');
const OUT = resolve(outArg > 0 ? process.argv[outArg + 1] : join(REPO_ROOT, '.vscode-test', 'selftest'));
mkdirSync(OUT, { recursive: true });

// ---------------------------------------------------------------------------------------------- the sample extension
const SAMPLE = {
  'package.json': JSON.stringify(
    {
      name: 'harness-sample',
      displayName: 'Harness sample',
      publisher: 'scaling-lens-test',
      version: '0.0.1',
      license: 'MIT',
      engines: { vscode: '^1.91.0' },
      main: './extension.js',
      activationEvents: ['workspaceContains:**/*.csv', 'onStartupFinished'],
      contributes: {
        commands: [{ command: 'harnessSample.fit', title: 'Harness Sample: Fit' }],
        menus: {
          'explorer/context': [{ command: 'harnessSample.fit', when: 'resourceExtname == .csv', group: 'navigation' }],
        },
      },
    },
    null,
    2,
  ),
  'extension.js': `
const vscode = require('vscode');
function activate(context) {
  const diagnostics = vscode.languages.createDiagnosticCollection('harnessSample');
  context.subscriptions.push(
    diagnostics,
    vscode.commands.registerCommand('harnessSample.fit', async (uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      vscode.window.showInformationMessage('Harness sample fitted ' + (target ? target.path.split('/').pop() : 'nothing'));
      return { fitted: target?.toString() ?? null };
    }),
    vscode.languages.registerCodeLensProvider({ pattern: '**/*.csv' }, {
      provideCodeLenses(document) {
        const rows = document.getText().split(/\\r?\\n/).filter((l) => l.trim()).length - 1;
        return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: 'Harness fit: ' + rows + ' rows', command: 'harnessSample.fit', arguments: [document.uri] })];
      },
    }),
    vscode.languages.registerHoverProvider({ pattern: '**/*.csv' }, {
      provideHover(document, position) { return new vscode.Hover('**Harness hover** line ' + (position.line + 1)); },
    }),
  );
  const check = (doc) => {
    if (!doc.fileName.endsWith('.csv')) return;
    const d = [];
    for (let i = 1; i < doc.lineCount; i++) {
      if (/NaN/.test(doc.lineAt(i).text)) d.push(new vscode.Diagnostic(doc.lineAt(i).range, 'Harness: NaN on row ' + i, vscode.DiagnosticSeverity.Warning));
    }
    diagnostics.set(doc.uri, d);
  };
  vscode.workspace.textDocuments.forEach(check);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(check));
}
function deactivate() {}
module.exports = { activate, deactivate };
`,
  'README.md': '# Harness sample\n',
  // The in-host suite: CommonJS, exports run(); rejects -> the extension host exits 1.
  'test/suite.js': `
const assert = require('node:assert/strict');
const fs = require('node:fs');
const vscode = require('vscode');
async function run() {
  const results = { passed: [], failed: [], uiKind: vscode.env.uiKind, version: vscode.version };
  const test = async (name, fn) => {
    try { await fn(); results.passed.push(name); console.log('ok - ' + name); }
    catch (e) { results.failed.push({ name, message: String(e && e.message) }); console.error('not ok - ' + name + ': ' + (e && e.stack)); }
  };
  const folder = vscode.workspace.workspaceFolders?.[0];
  await test('workspace folder is open', () => assert.ok(folder, 'no workspace folder'));
  const csv = vscode.Uri.joinPath(folder.uri, 'loss.csv');
  await test('extension activates', async () => {
    const ext = vscode.extensions.getExtension('scaling-lens-test.harness-sample');
    assert.ok(ext, 'extension not found');
    await ext.activate();
    assert.equal(ext.isActive, true);
  });
  await test('CodeLens on a csv', async () => {
    const doc = await vscode.workspace.openTextDocument(csv);
    await vscode.window.showTextDocument(doc);
    const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', csv, 10);
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command.title, process.env.HARNESS_SAMPLE_FAIL ? 'Harness fit: 999 rows' : 'Harness fit: 4 rows');
  });
  await test('command runs', async () => {
    const r = await vscode.commands.executeCommand('harnessSample.fit', csv);
    assert.equal(r.fitted, csv.toString());
  });
  await test('diagnostics', async () => {
    let d = [];
    for (let i = 0; i < 50 && d.length === 0; i++) {
      d = vscode.languages.getDiagnostics(csv);
      if (!d.length) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(d.length, 1);
    assert.match(d[0].message, /NaN on row 3/);
  });
  await test('uiKind is Web in this host', () => assert.equal(vscode.env.uiKind, vscode.UIKind.Web));
  if (process.env.SCALING_LENS_TEST_RESULTS) fs.writeFileSync(process.env.SCALING_LENS_TEST_RESULTS, JSON.stringify(results, null, 2));
  console.log(results.passed.length + ' passed, ' + results.failed.length + ' failed');
  if (results.failed.length) throw new Error(results.failed.length + ' test(s) failed: ' + results.failed.map((f) => f.name + ': ' + f.message).join('; '));
}
module.exports = { run };
`,
};
const WORKSPACE = { 'loss.csv': 'step,loss\n1,3.2\n2,2.9\n3,NaN\n4,2.5\n', 'readme.txt': 'notes\n' };

function writeTree(dir, files) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

// A minimal .vsix (a zip: extension/..., extension.vsixmanifest, [Content_Types].xml), stored without compression.
function makeVsix(path, files, pkg) {
  const entries = {
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension=".json" ContentType="application/json"/><Default Extension=".js" ContentType="application/javascript"/>' +
      '<Default Extension=".md" ContentType="text/markdown"/><Default Extension=".vsixmanifest" ContentType="text/xml"/></Types>',
    'extension.vsixmanifest':
      '<?xml version="1.0" encoding="utf-8"?><PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011">' +
      `<Metadata><Identity Language="en-US" Id="${pkg.name}" Version="${pkg.version}" Publisher="${pkg.publisher}"/><DisplayName>${pkg.displayName}</DisplayName>` +
      `<Properties><Property Id="Microsoft.VisualStudio.Code.Engine" Value="${pkg.engines.vscode}"/></Properties></Metadata>` +
      '<Installation><InstallationTarget Id="Microsoft.VisualStudio.Code"/></Installation><Dependencies/>' +
      '<Assets><Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true"/></Assets></PackageManifest>',
  };
  for (const [name, text] of Object.entries(files)) if (!name.startsWith('test/')) entries[`extension/${name}`] = text;
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const nameBuf = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(path, Buffer.concat([...locals, cd, end]));
}

// ---------------------------------------------------------------------------------------------------------- checks
const results = [];
const timings = {};
async function check(name, fn) {
  const t = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok - ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  } catch (e) {
    results.push({ name, ok: false, error: e });
    console.log(
      `not ok - ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)\n  ${String(e?.stack ?? e)
        .split('\n')
        .join('\n  ')}`,
    );
  }
  timings[name] = (Date.now() - t) / 1000;
}

const root = mkdtempSync(join(tmpdir(), 'vsch-selftest-'));
const ext = join(root, 'sample-extension');
const suite = join(ext, 'test', 'suite.js');
writeTree(ext, SAMPLE);
const freshWorkspace = (name) => {
  const ws = join(root, name);
  writeTree(ws, WORKSPACE);
  return ws;
};

try {
  await check('host installed (setup.mjs)', () => ensureHost());

  await check('in-host suite passes -> exit 0 + results JSON', async () => {
    const r = await runExtensionTests({
      workspace: freshWorkspace('ws-pass'),
      extensionDevelopmentPath: ext,
      extensionTestsPath: suite,
      timeoutMs: 90_000,
    });
    timings.passRun = r.timings;
    assert.equal(r.exitCode, 0, r.logText);
    assert.equal(r.resultsJson?.failed?.length, 0, JSON.stringify(r.resultsJson));
    assert.equal(r.resultsJson?.passed?.length, 6, JSON.stringify(r.resultsJson));
    assert.equal(r.resultsJson.version, '1.100.3');
    assert.match(r.testOutput, /ok - CodeLens on a csv/);
  });

  await check('failing assertion -> exit != 0, message in logs', async () => {
    const r = await runExtensionTests({
      workspace: freshWorkspace('ws-fail'),
      extensionDevelopmentPath: ext,
      extensionTestsPath: suite,
      env: { HARNESS_SAMPLE_FAIL: '1' },
      timeoutMs: 90_000,
      screenshotOnFailure: join(OUT, 'failed-suite.png'),
    });
    timings.failRun = r.timings;
    assert.notEqual(r.exitCode, 0);
    assert.equal(r.timedOut, false);
    assert.match(r.testOutput, /not ok - CodeLens on a csv/);
    assert.match(r.testOutput, /Harness fit: 999 rows/);
    assert.equal(r.resultsJson?.failed?.[0]?.name, 'CodeLens on a csv');
  });

  await check('UI: explorer context menu, CodeLens, hover, Problems panel, command palette', async () => {
    const host = await startHost({ workspace: freshWorkspace('ws-ui'), extensionDevelopmentPath: ext });
    timings.uiStart = host.timings;
    const { page } = host;
    try {
      const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'loss.csv' });
      await row.waitFor({ timeout: 30_000 });
      await host.waitForExtensionHost();
      // The dev extension's menu contributions arrive a moment after the extension host starts: retry the menu.
      const item = page.getByRole('menuitem', { name: 'Harness Sample: Fit' });
      for (let i = 0; ; i++) {
        await row.click({ button: 'right' });
        try {
          await item.waitFor({ timeout: 1000 });
          break;
        } catch (e) {
          if (i >= 20) throw e;
          await page.keyboard.press('Escape');
        }
      }
      await host.screenshot(join(OUT, '1-explorer-context-menu.png'));
      await item.click();
      await page
        .locator('.notifications-toasts .notification-list-item-message', { hasText: 'Harness sample fitted loss.csv' })
        .waitFor({ timeout: 10_000 });

      await row.dblclick();
      await page.locator('.codelens-decoration', { hasText: 'Harness fit: 4 rows' }).waitFor({ timeout: 20_000 });
      await host.screenshot(join(OUT, '2-codelens.png'));

      await page.locator('.monaco-editor .view-line', { hasText: '1,3.2' }).locator('span > span').first().hover();
      await page.locator('.monaco-hover-content', { hasText: 'Harness hover' }).waitFor({ timeout: 10_000 });
      await host.screenshot(join(OUT, '3-hover.png'));
      await page.keyboard.press('Escape');

      await page.keyboard.press('Control+Shift+M');
      await page
        .locator('.markers-panel .monaco-list-row', { hasText: 'Harness: NaN on row 3' })
        .waitFor({ timeout: 10_000 });
      await host.screenshot(join(OUT, '4-problems.png'));

      await host.executeCommand('Harness Sample: Fit');
      await page
        .locator('.notification-list-item-message', { hasText: 'Harness sample fitted loss.csv' })
        .first()
        .waitFor({ timeout: 10_000 });
    } catch (e) {
      await host.screenshot(join(OUT, 'ui-failure.png')).catch(() => {});
      throw e;
    } finally {
      await host.stop();
    }
  });

  await check('installVsix: the packaged extension runs without extensionDevelopmentPath', async () => {
    const vsix = join(root, 'harness-sample-0.0.1.vsix');
    makeVsix(vsix, SAMPLE, JSON.parse(SAMPLE['package.json']));
    const host = await startHost({ workspace: freshWorkspace('ws-vsix'), installVsix: vsix });
    try {
      assert.match(
        host.logText((l) => l.type === 'install'),
        /successfully installed/,
      );
      await host.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'loss.csv' }).dblclick();
      await host.page.locator('.codelens-decoration', { hasText: 'Harness fit: 4 rows' }).waitFor({ timeout: 30_000 });
      await host.screenshot(join(OUT, '5-vsix-codelens.png'));
    } finally {
      await host.stop();
    }
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}

writeFileSync(join(OUT, 'timings.json'), JSON.stringify(timings, null, 2) + '\n');
const failed = results.filter((r) => !r.ok).length;
console.log(`screenshots and timings in ${OUT}`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
