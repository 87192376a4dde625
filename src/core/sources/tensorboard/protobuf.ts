// A small protobuf wire-format reader: just what event files need (varints, fixed32/64, length-delimited fields) and
// skipping of every wire type, so fields a newer writer adds are passed over. A malformed message never throws: a
// read past the end marks the reader failed and moves it to the end, so every decoding loop ends.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const TWO_32 = 2 ** 32;

/** Scratch for little-endian floats: a DataView per message would cost more than the decoding (machines are LE). */
const F32 = new Float32Array(1);
const F32_BYTES = new Uint8Array(F32.buffer);
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The int64 of two 32-bit halves as a number (exact below 2^53 in magnitude). */
function int64(lo: number, hi: number): number {
  if (hi & 0x80000000) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
  return (hi >>> 0) * TWO_32 + (lo >>> 0);
}

export class ProtoReader {
  /** Set once a read ran past the end or met an impossible encoding; the message is then malformed. */
  failed = false;

  constructor(
    public bytes: Uint8Array,
    public pos: number,
    public end: number,
  ) {}

  /** Points the reader at another message (readers are reused: millions of events would otherwise be garbage). */
  reset(bytes: Uint8Array, start: number, end: number): this {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.failed = false;
    return this;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private fail(): number {
    this.failed = true;
    this.pos = this.end;
    return 0;
  }

  /** The next field's key (field number << 3 | wire type); 0 when the message is malformed. */
  key(): number {
    const key = this.varint();
    return key === 0 ? this.fail() : key;
  }

  /** A varint as an int64 number (exact below 2^53): a negative int64 (a negative step) is returned negative. */
  varint(): number {
    const { bytes, end } = this;
    let pos = this.pos;
    if (pos < end && bytes[pos] < 0x80) {
      this.pos = pos + 1;
      return bytes[pos];
    }
    // Two 32-bit halves, as int64 is: seven bits per byte, the fifth byte straddling the halves.
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) return this.fail();
      const b = bytes[pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x7f) << 28;
        hi = (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        this.pos = pos;
        return int64(lo, hi);
      }
    }
    return this.fail();
  }

  fixed32Float(): number {
    if (this.pos + 4 > this.end) return this.fail();
    this.pos += 4;
    return littleEndianFloat(this.bytes, this.pos - 4, 4);
  }

  fixed64Double(): number {
    if (this.pos + 8 > this.end) return this.fail();
    this.pos += 8;
    return littleEndianFloat(this.bytes, this.pos - 8, 8);
  }

  /** A length-delimited field: its start, the reader moved past it; its end is `pos` after the call. */
  lengthDelimited(): number {
    const length = this.varint();
    const start = this.pos;
    if (length > this.end - start) return this.fail();
    this.pos = start + length;
    return start;
  }

  /** A reader over the length-delimited field at the cursor; the cursor moves past it. */
  message(): ProtoReader {
    const start = this.lengthDelimited();
    return new ProtoReader(this.bytes, this.failed ? this.end : start, this.failed ? this.end : this.pos);
  }

  /** Passes over a field of any wire type (a group to its end-group key). */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) this.fail();
        else this.pos += 8;
        return;
      case WIRE_LENGTH:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) this.fail();
        else this.pos += 4;
        return;
      case WIRE_START_GROUP:
        this.skipGroup();
        return;
      default:
        this.fail(); // an end-group without its start, or wire types 6 and 7, which do not exist
    }
  }

  /**
   * Skips a group's fields up to its matching end-group key. Groups nest; the nesting is counted, not recursed into,
   * so a record of nested start-groups (a few bytes each) cannot exhaust the stack.
   */
  private skipGroup(): void {
    let depth = 1;
    while (!this.done) {
      const wire = this.key() & 7;
      if (this.failed) return;
      if (wire === WIRE_START_GROUP) depth++;
      else if (wire !== WIRE_END_GROUP) this.skip(wire);
      else if (--depth === 0) return;
    }
    this.fail();
  }
}

/** The little-endian float32 (width 4) or float64 (width 8) at bytes[at]. */
export function littleEndianFloat(bytes: Uint8Array, at: number, width: 4 | 8): number {
  if (width === 4 && LITTLE_ENDIAN) {
    // Unrolled: the hot path reads one float32 per scalar event.
    F32_BYTES[0] = bytes[at];
    F32_BYTES[1] = bytes[at + 1];
    F32_BYTES[2] = bytes[at + 2];
    F32_BYTES[3] = bytes[at + 3];
    return F32[0];
  }
  const scratch = width === 4 ? F32_BYTES : F64_BYTES;
  for (let i = 0; i < width; i++) scratch[LITTLE_ENDIAN ? i : width - 1 - i] = bytes[at + i];
  return width === 4 ? F32[0] : F64[0];
}
