// Workloads 2, 3 and 6 in their own process, bundled by bench/run.ts with esbuild exactly as the CLI and the server's
// worker ship (running the core through tsx's module getters would add a call per law evaluation).
// Usage: node fitsChild.js lr|chinchilla|mpl [--quick]; prints one JSON line: BenchRow[].
import { chinchillaBench, lrBench } from './fits';
import { mplBench } from './mplFits';

const BENCHES = { lr: lrBench, chinchilla: chinchillaBench, mpl: mplBench };

async function main(): Promise<void> {
  const [which, flag] = process.argv.slice(2);
  const options = { quick: flag === '--quick', log: (s: string) => process.stderr.write(`${s}\n`) };
  if (!(which in BENCHES)) throw new Error(`unknown fit benchmark ${which}: ${Object.keys(BENCHES).join(', ')}`);
  const rows = await BENCHES[which as keyof typeof BENCHES](options);
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

void main();
