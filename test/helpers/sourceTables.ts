// Reading one run file or folder through the sources, as the CLI and the server do, for tests that expect one table.
import assert from 'node:assert/strict';
import { readSources } from '../../src/core/sources';
import type { SourceOptions } from '../../src/core/sources/types';
import type { Table } from '../../src/core/table/types';

/** The one table `path` reads as; fails the test when it reads as none or several. */
export async function readOne(path: string, options: SourceOptions = {}): Promise<Table> {
  const { tables } = await readSources([path], options);
  assert.equal(tables.length, 1, 'one table');
  return tables[0];
}
