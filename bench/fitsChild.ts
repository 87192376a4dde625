// Workloads 2 and 3 in their own process, bundled by bench/run.ts with esbuild exactly as the CLI and the server's
// worker ship (running the core through tsx's module getters would add a call per law evaluation).
// Usage: node fitsChild.js lr|chinchilla [--quick]; prints one JSON line: BenchRow[].
import { chinchillaBench, lrBench } from './fits';

async function main(): Promise<void> {
  const [which, flag] = process.argv.slice(2);
  const options = { quick: flag === '--quick', log: (s: string) => process.stderr.write(`${s}\n`) };
  const rows = which === 'lr' ? await lrBench(options) : await chinchillaBench(options);
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

void main();
