// The second launcher of the same in-host suite, for machines that can download VS Code (desktop Electron):
// `npm run test:vscode:electron`. Here (no access to the VS Code download host) the code-server runner is used.
import { runTests } from '@vscode/test-electron';
import { join } from 'node:path';
import { makeScratch, removeScratch } from '../helpers/scratch';
import { REPO } from '../helpers/shared';
import { makeWorkspace } from './workspace';

// Not a node:test file, so no `after` hook: the workspace goes once VS Code has exited, whatever the outcome.
const workspace = makeWorkspace(makeScratch('scaling-lens-ws-'));
runTests({
  version: '1.100.3',
  extensionDevelopmentPath: REPO,
  extensionTestsPath: join(REPO, 'out/test/vscode/suite.js'),
  launchArgs: [workspace, '--disable-extensions'],
})
  .catch((error: unknown) => {
    console.error(`VS Code tests failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => removeScratch(workspace));
