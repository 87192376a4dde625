// Test helpers for downstream sweeps: synthetic groups that follow the BLEU / CE laws, and tables built through the
// project's own reader (parseText) with roles assigned by column name, so tests do not depend on alias detection.
import { parseText } from '../../../src/core/table';
import type { ColumnRole, RoleAssignment, Table } from '../../../src/core/table/types';
import { normal, type Random } from '../../../src/core/util/random';

export const HEADER = ['mix', 'D_f', 'D_p', 'bleu', 'ce'];
const ROLE_OF: Record<string, ColumnRole> = {
  mix: 'group',
  D_f: 'finetuneData',
  D_p: 'pretrainData',
  bleu: 'bleu',
  ce: 'ce',
};

export function sweepTable(
  rows: (string | number)[][],
  header: string[] = HEADER,
  file = 'sweep.csv',
): { table: Table; roles: RoleAssignment } {
  const text = [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
  const table = parseText(text, { fileName: file });
  const roles: RoleAssignment = { kind: 'downstream', roles: {}, notes: [] };
  header.forEach((name, i) => {
    if (ROLE_OF[name]) roles.roles[ROLE_OF[name]] = i;
  });
  return { table, roles };
}

/** D_p grid: `count` doublings from 0.5B tokens. */
export function dpGrid(count = 8, start = 0.5e9): number[] {
  return Array.from({ length: count }, (_, k) => start * 2 ** k);
}

/** A BLEU law (natural log) rising from `from` to `to` BLEU over the grid, with the given beta. */
export function alignedLaw(grid: number[], from: number, to: number, beta: number): (dp: number) => number {
  const g0 = from ** (1 / beta);
  const g1 = to ** (1 / beta);
  const alpha = (g1 - g0) / Math.log(grid[grid.length - 1] / grid[0]);
  const a = g0 - alpha * Math.log(grid[0]);
  return (dp) => (a + alpha * Math.log(dp)) ** beta;
}

export const ceLaw = (dp: number) => 1.8 + 0.55 * (dp / 1e9) ** -0.35;

/** Rows of one aligned group with Gaussian noise (BLEU sd in points, CE relative sd). */
export function alignedRows(
  random: Random,
  options: { mix?: string; df?: string; beta?: number; bleuSd?: number; ceSd?: number; grid?: number[] } = {},
): (string | number)[][] {
  const grid = options.grid ?? dpGrid();
  const law = alignedLaw(grid, 18, 32, options.beta ?? 1.5);
  return grid.map((dp) => [
    options.mix ?? 'aligned',
    options.df ?? '42M',
    dp,
    (law(dp) + (options.bleuSd ?? 0.3) * normal(random)).toFixed(2),
    (ceLaw(dp) * (1 + (options.ceSd ?? 0.002) * normal(random))).toFixed(4),
  ]);
}
