// The second launcher of the same in-host suite, for machines that can download VS Code (desktop Electron):
// `npm run test:vscode:electron`. Here (no access to the VS Code download host) the code-server runner is used.
import { runTests } from '@vscode/test-electron';
import { join } from 'node:path';
import { REPO } from '../helpers/shared';
import { makeWorkspace } from './workspace';

runTests({
  version: '1.100.3',
  extensionDevelopmentPath: REPO,
  extensionTestsPath: join(REPO, 'out/test/vscode/suite.js'),
  launchArgs: [makeWorkspace(), '--disable-extensions'],
}).catch((error: unknown) => {
  console.error(`VS Code tests failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
