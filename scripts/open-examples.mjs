// `npm start`: build the extension and open it on the bundled examples — in desktop VS Code when the `code`
// command exists, otherwise in the local code-server (installed on first use), printing the address to open.
// Quiet: the install's and code-server's output go to a log file, and the terminal gets a few lines. The port is
// PORT, or 8090, or the next free one when 8090 is taken.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHostInstalled } from './vscode-host/host.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(root, 'examples');
const DEFAULT_PORT = 8090;
/** How many ports after the default are tried before asking the system for any free one. */
const PORTS_TRIED = 20;
const logFile = join(root, '.vscode-test', 'start.log');
const shown = relative(process.cwd(), logFile) || logFile;

const build = spawnSync(process.execPath, [join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode && !process.argv.includes('--code-server')) {
  console.log(`Opening ${examples} in VS Code with Scaling Lens loaded from ${root}`);
  spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${root}`, examples], { stdio: 'inherit' });
  process.exit(0);
}

mkdirSync(dirname(logFile), { recursive: true });
const port = await choosePort();
installHost();
startCodeServer(port);

/** PORT when given (refused with a message when taken), else 8090 or the next free port after it. */
async function choosePort() {
  if (process.env.PORT) {
    const wanted = Number(process.env.PORT);
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 65535)
      fail(`PORT must be a port number (1-65535); got "${process.env.PORT}".`);
    if (!(await isFree(wanted)))
      fail(`Port ${wanted} (from PORT) is in use. Stop what uses it, or choose another: PORT=8091 npm start`);
    return wanted;
  }
  for (let p = DEFAULT_PORT; p < DEFAULT_PORT + PORTS_TRIED; p++) if (await isFree(p)) return p;
  return anyFreePort();
}

/** Whether 127.0.0.1:port can be listened on right now. */
function isFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function anyFreePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The first run installs code-server (about a minute, hundreds of lines, some alarming but harmless): into the log. */
function installHost() {
  if (isHostInstalled()) return;
  console.log(`Installing code-server for the first run (about a minute; details in ${shown})…`);
  const out = openSync(logFile, 'a');
  const setup = spawnSync(process.execPath, [join(root, 'scripts/vscode-host/setup.mjs')], {
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (setup.status !== 0) fail(`Installing code-server failed (exit ${setup.status}).`, true);
  console.log('Installed.');
}

/** Starts code-server with the extension loaded, prints the address once it answers, and stops it on Ctrl+C. */
function startCodeServer(port) {
  const bin = join(root, '.vscode-test/host/node_modules/code-server/out/node/entry.js');
  const userData = join(root, '.vscode-test/user-data');
  const out = openSync(logFile, 'a');
  const args = [
    bin,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir',
    userData,
    '--extensions-dir',
    join(userData, 'extensions'),
  ];
  const server = spawn(process.execPath, args, { stdio: ['ignore', out, out] });
  closeSync(out);
  // code-server has no --extensionDevelopmentPath flag: the development path goes in the workbench URL's payload.
  const payload = encodeURIComponent(
    JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${root}`]]),
  );
  const address = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(examples)}&payload=${payload}`;
  let ready = false;
  void waitForHealth(port, server).then((ok) => {
    if (!ok) return;
    ready = true;
    const note = port === DEFAULT_PORT || process.env.PORT ? '' : ` (port ${DEFAULT_PORT} was in use)`;
    console.log(`Scaling Lens is running in code-server${note}. Open in a browser:\n\n  ${address}\n`);
    console.log(`Press Ctrl+C to stop. code-server's log: ${shown}`);
  });
  const stop = () => {
    server.kill();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.on('exit', (code) => {
    if (!ready) fail(`code-server stopped before it was ready (exit ${code}).`, true);
    process.exit(code ?? 0);
  });
}

/** Polls code-server's health endpoint until it answers (true) or the process ends (false). */
async function waitForHealth(port, server) {
  while (server.exitCode === null && server.signalCode === null) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Says what went wrong (with the end of the log when it holds the reason) and exits. */
function fail(message, withLog = false) {
  console.error(`npm start: ${message}`);
  if (withLog) {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
    console.error(`The end of ${shown}:\n${tail}`);
  }
  process.exit(1);
}
