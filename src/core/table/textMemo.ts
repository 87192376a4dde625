// Text cells by their bytes, so that a cell seen lately (a run name, a phase, a split) is neither decoded nor
// classified again: logs repeat the same few strings on every row. Shared by the CSV and JSONL fast paths.
import type { NumberCellOptions } from './number';
import { parseCell, type ParsedCell } from './record';

/** Slots, and the longest text kept (longer text is decoded and classified every time). */
const MEMO_SLOTS = 512;
const MEMO_BYTES = 128;

/** Direct-mapped on a hash of the bytes: a slot keeps the last text that hashed to it. */
export class TextMemo {
  private readonly bytes = new Uint8Array(MEMO_SLOTS * MEMO_BYTES);
  private readonly lengths = new Int32Array(MEMO_SLOTS).fill(-1);
  private readonly cells = new Array<ParsedCell | null>(MEMO_SLOTS).fill(null);

  constructor(private readonly numbers: NumberCellOptions) {}

  /**
   * The cell of the text in buf[start, end). On a miss `read` gives the cell's text from those bytes, or null when
   * the caller cannot take them (the cell is then neither classified nor kept, and the result is null).
   */
  cell<Bytes extends Uint8Array>(
    buf: Bytes,
    start: number,
    end: number,
    read: (buf: Bytes, start: number, end: number) => string | null,
  ): ParsedCell | null {
    const length = end - start;
    let hash = length;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i], 0x01000193); // FNV-1a
    const slot = (hash ^ (hash >>> 15)) & (MEMO_SLOTS - 1);
    const cached = this.cells[slot];
    if (cached !== null && this.lengths[slot] === length && this.holds(slot, buf, start, length)) return cached;
    const text = read(buf, start, end);
    if (text === null) return null;
    const cell = parseCell(text, this.numbers);
    if (length <= MEMO_BYTES) this.keep(slot, buf, start, length, cell);
    return cell;
  }

  private keep(slot: number, buf: Uint8Array, start: number, length: number, cell: ParsedCell): void {
    const bytes = this.bytes;
    const at = slot * MEMO_BYTES;
    for (let i = 0; i < length; i++) bytes[at + i] = buf[start + i]; // short: cheaper than a native copy call
    this.lengths[slot] = length;
    this.cells[slot] = cell;
  }

  /** Whether the slot's bytes are buf[start, start + length). */
  private holds(slot: number, buf: Uint8Array, start: number, length: number): boolean {
    const bytes = this.bytes;
    const at = slot * MEMO_BYTES;
    for (let i = 0; i < length; i++) if (bytes[at + i] !== buf[start + i]) return false;
    return true;
  }
}
