// The language server in-process: two PassThrough streams stand in for the IPC pipe, and a plain JSON-RPC client
// plays VS Code's part. No VS Code involved, so these tests run in milliseconds.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { createConnection } from 'vscode-languageserver/node';
import type { CodeLens, Diagnostic, Hover, PublishDiagnosticsParams, Range } from 'vscode-languageserver';
import {
  documentPages,
  FitDocumentPageRequest,
  FitDocumentRequest,
  SERVER_ENV,
  SERVER_EXEC_ARGV,
  StatusNotification,
  type FitSummary,
} from '../../src/shared/protocol';
import { startServer, type ServerOptions } from '../../src/server/server';
import { REPO } from './shared';

export interface TestClient {
  rpc: MessageConnection;
  open(uri: string, text: string, version?: number): Promise<void>;
  /** Replaces the whole document, or only `range` when given (an incremental change, as VS Code sends an edit). */
  change(uri: string, text: string, version: number, range?: Range): Promise<void>;
  close(uri: string): Promise<void>;
  lenses(uri: string): Promise<CodeLens[]>;
  hover(uri: string, line: number, character?: number): Promise<Hover | null>;
  /** Resolves with the newest diagnostics published for uri that satisfy the predicate (waiting for one if none has). */
  diagnostics(uri: string, predicate?: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]>;
  /** Every set of diagnostics published for uri so far, newest first (without waiting). */
  published(uri: string): Diagnostic[][];
  status(uri: string, predicate?: (s: FitSummary) => boolean): Promise<FitSummary>;
  /** Settings the server will read through workspace/configuration. */
  settings: Record<string, unknown>;
  configurationChanged(): Promise<void>;
  lensRefreshes: number;
  dispose(): void;
}

interface Capabilities {
  configuration?: boolean;
  relatedInformation?: boolean;
}

/** The server in this process, over two in-memory streams. */
export async function startTestServer(
  options: ServerOptions = {},
  capabilities: Capabilities = {},
): Promise<TestClient> {
  const up = new PassThrough();
  const down = new PassThrough();
  const server = startServer(createConnection(new StreamMessageReader(up), new StreamMessageWriter(down)), options);
  // The streams are left to the collector, never destroyed: a write still queued when the server is disposed
  // (vscode-jsonrpc writes a turn or two after the send) failed on a destroyed stream, and vscode-jsonrpc logs that
  // failure over the disposed connection, which throws "Connection is disposed." as an unhandled rejection.
  return connectClient(down, up, capabilities, () => server.dispose());
}

/** The bundled server (dist/server.js) in its own process over stdio, as an editor runs it; `pid` for measuring it. */
export async function spawnTestServer(capabilities: Capabilities = {}): Promise<TestClient & { pid: number }> {
  const child = spawn(process.execPath, [...SERVER_EXEC_ARGV, join(REPO, 'dist', 'server.js'), '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...SERVER_ENV },
  });
  const client = await connectClient(child.stdout, child.stdin, capabilities, () => child.kill());
  return Object.assign(client, { pid: child.pid ?? -1 });
}

async function connectClient(
  fromServer: Readable,
  toServer: Writable,
  capabilities: Capabilities,
  disposeServer: () => void,
): Promise<TestClient> {
  const rpc = createMessageConnection(new StreamMessageReader(fromServer), new StreamMessageWriter(toServer));
  const published = new Map<string, Diagnostic[][]>();
  const statuses = new Map<string, FitSummary[]>();
  const waiters: (() => void)[] = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  const client: TestClient = {
    rpc,
    settings: {},
    lensRefreshes: 0,
    open: (uri, text, version = 1) =>
      rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'csv', version, text } }),
    change: (uri, text, version, range) =>
      rpc.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [range ? { range, text } : { text }],
      }),
    close: (uri) => rpc.sendNotification('textDocument/didClose', { textDocument: { uri } }),
    lenses: (uri) => rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } }),
    hover: (uri, line, character = 0) =>
      rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } }),
    diagnostics: (uri, predicate = () => true) => waitFor(() => (published.get(uri) ?? []).find(predicate)),
    published: (uri) => [...(published.get(uri) ?? [])],
    status: (uri, predicate = (s) => s.state !== 'fitting') => waitFor(() => (statuses.get(uri) ?? []).find(predicate)),
    configurationChanged: () => rpc.sendNotification('workspace/didChangeConfiguration', { settings: {} }),
    dispose: () => {
      rpc.dispose();
      disposeServer();
    },
  };
  // Generous: a fit with its bootstrap refits takes over 20 s on a 2-core machine under load; a wait that is met
  // returns at once, so only a test that would fail anyway waits this long.
  function waitFor<T>(probe: () => T | undefined, timeoutMs = 90_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the server')), timeoutMs);
      const check = () => {
        const value = probe();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
        } else waiters.push(check);
      };
      check();
    });
  }
  rpc.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.set(p.uri, [p.diagnostics, ...(published.get(p.uri) ?? [])]);
    notify();
  });
  rpc.onNotification(StatusNotification.method, (s: FitSummary) => {
    statuses.set(s.uri, [s, ...(statuses.get(s.uri) ?? [])]);
    notify();
  });
  rpc.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
    p.items.map(() => client.settings),
  );
  rpc.onRequest('workspace/codeLens/refresh', () => {
    client.lensRefreshes++;
    return null;
  });
  rpc.onNotification('window/logMessage', () => undefined);
  rpc.listen();
  await rpc.sendRequest('initialize', {
    processId: null,
    rootUri: null,
    capabilities: {
      workspace: { configuration: capabilities.configuration ?? true, codeLens: { refreshSupport: true } },
      textDocument: { publishDiagnostics: { relatedInformation: capabilities.relatedInformation ?? true } },
    },
  });
  await rpc.sendNotification('initialized', {});
  return client;
}

/** Export Fit's document text as the client writes it: its pages asked for and joined in order; null without a fit. */
export async function exportedText(client: TestClient, uri: string): Promise<string | null> {
  const first = await client.rpc.sendRequest(FitDocumentRequest, { uri });
  if (!first) return null;
  const parts: string[] = [];
  for await (const text of documentPages(first, (params) => client.rpc.sendRequest(FitDocumentPageRequest, params)))
    parts.push(text);
  return parts.join('');
}
