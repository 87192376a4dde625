// Where the real data lives (../shared/data beside the repo), and the skip reason when it is absent.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
export const SHARED_DATA = resolve(REPO, '..', 'shared', 'data');
export const LUO = join(SHARED_DATA, 'multipowerlaw-luo2025');
export const CHINCHILLA = join(SHARED_DATA, 'chinchilla');

/** `false` when the data is there, else a reason node:test prints for the skipped test. */
export function skipUnless(path: string): false | string {
  return existsSync(path) ? false : `real data not found at ${path} (../shared/data is absent in this checkout)`;
}

export const LUO_FIT = ['cosine_24000', 'constant_24000', 'wsdcon_9'];
export const LUO_HELDOUT = [
  'constant_72000',
  'cosine_72000',
  'wsd_20000_24000',
  'wsdld_20000_24000',
  'wsdcon_3',
  'wsdcon_18',
];
export const luoFiles = (size: string) => [...LUO_FIT, ...LUO_HELDOUT].map((n) => join(LUO, `csv_${size}`, `${n}.csv`));
