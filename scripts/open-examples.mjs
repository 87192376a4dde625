// `npm start`: build the extension and open it on the bundled examples — in desktop VS Code when the `code`
// command exists, otherwise in the local code-server (installed on first use), printing the address to open.
import { spawn, spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(root, 'examples');

const build = spawnSync(process.execPath, [join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode && !process.argv.includes('--code-server')) {
  console.log(`Opening ${examples} in VS Code with Scaling Lens loaded from ${root}`);
  spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${root}`, examples], { stdio: 'inherit' });
  process.exit(0);
}

// code-server has no --extensionDevelopmentPath flag: the development path goes in the workbench URL's payload.
const setup = spawnSync(process.execPath, [join(root, 'scripts/vscode-host/setup.mjs')], { stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);
const port = Number(process.env.PORT ?? 8090);
const bin = join(root, '.vscode-test/host/node_modules/code-server/out/node/entry.js');
const userData = join(root, '.vscode-test/user-data');
const server = spawn(
  process.execPath,
  [
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
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const payload = encodeURIComponent(
  JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${root}`]]),
);
console.log(
  `\nScaling Lens is running in code-server. Open this address in a browser:\n\n  http://127.0.0.1:${port}/?folder=${encodeURIComponent(examples)}&payload=${payload}\n\nPress Ctrl+C to stop.`,
);
const stop = () => {
  server.kill();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => process.exit(code ?? 0));
