// The protobuf messages of an event file, decoded as far as scalars need: Event{1 wall_time, 2 step, 4 graph_def,
// 5 summary, 7 session_log, 8 tagged_run_metadata, 9 meta_graph_def}, Summary{1 repeated Value}, Value{1 tag,
// 2 simple_value, 3/5 histograms, 4 image, 6 audio, 8 tensor, 9 metadata}, TensorProto{1 dtype, 2 tensor_shape,
// 4 tensor_content, 5 float_val, 6 double_val} and SessionLog{1 status}. Everything else is skipped by wire type.
import { viewOf } from './crc32c';
import { littleEndianFloat, ProtoReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT } from './protobuf';

/** Summaries that hold no scalar, skipped and counted. */
export type SkippedKind = 'graph' | 'histogram' | 'image' | 'audio' | 'text' | 'other';

export interface EventVisitor {
  /**
   * A scalar value of `tag`. `tagId`, from a decoder: its number for the tag, the same for every value of the tag it
   * decodes (small, from 0), so a visitor may keep what it knows of a tag in an array by it; -1 (or absent: a replayed
   * call) when it has none for the tag.
   */
  scalar(tag: string, step: number, value: number, tagId?: number): void;
  /** A SessionLog START: the writer restarted at `step`. */
  sessionStart(step: number): void;
  skipped(kind: SkippedKind): void;
  /** Whether the tag already has scalar values: metadata on a later value (a malformed one) does not re-declare it. */
  hasScalars?(tag: string): boolean;
}

const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_STRING = 7;
const SESSION_START = 1;
const UTF8 = new TextDecoder('utf-8');

/** What a plugin's values hold, for tags whose metadata names a plugin (given on a tag's first value only). */
const PLUGIN_KINDS: Record<string, SkippedKind | 'scalar'> = {
  scalars: 'scalar',
  histograms: 'histogram',
  distributions: 'histogram',
  images: 'image',
  audio: 'audio',
  text: 'text',
};

/** A tag seen before: its bytes (and a view of them as words), its text, its id, and the tag after it the last time. */
interface TagEntry {
  bytes: Uint8Array;
  words: DataView;
  text: string;
  /** The visitor's `tagId`: its order among the tags cached, or -1 when it is not cached. */
  id: number;
  next: TagEntry | null;
}

const NO_BYTES = new Uint8Array(0);
const NO_WORDS = viewOf(NO_BYTES);
/** A value without a tag field: the empty tag, without an id. */
const NO_TAG: TagEntry = { bytes: NO_BYTES, words: NO_WORDS, text: '', id: -1, next: null };

/** Tags kept by a decoder; more are decoded at each value. */
const MAX_CACHED_TAGS = 4096;

/**
 * Tags decoded once: an event file repeats a handful of tags millions of times. A writer logs its tags in the same
 * order at every step, so the tag after the last one is guessed first (its bytes compared four at a time); a wrong
 * guess falls back to a hash of the bytes.
 */
class TagCache {
  // Entries are only added, so an entry's id (the count before it) is never reused.
  private readonly entries = new Map<number, TagEntry>();
  private readonly decoder = new TextDecoder('utf-8');
  private last: TagEntry | null = null;

  /** The tag in bytes[start, end), whose view is `view` (the same offsets). */
  get(bytes: Uint8Array, view: DataView, start: number, end: number): TagEntry {
    const guess = this.last === null ? null : this.last.next;
    if (guess !== null && sameBytes(guess, view, start, end)) {
      this.last = guess;
      return guess;
    }
    return this.lookup(bytes, view, start, end);
  }

  /** A tag that is not the guess, by a hash of its bytes (apart from `get`, which then stays small to inline). */
  private lookup(bytes: Uint8Array, view: DataView, start: number, end: number): TagEntry {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    hash = (hash ^ (end - start)) >>> 0;
    let entry = this.entries.get(hash);
    if (entry !== undefined && !sameBytes(entry, view, start, end)) {
      // Another tag with the same hash holds the slot: decoded every time, never guessed, no id.
      this.last = null;
      const text = this.decoder.decode(bytes.subarray(start, end));
      return { bytes: NO_BYTES, words: NO_WORDS, text, id: -1, next: null };
    }
    if (entry === undefined) {
      const own = bytes.slice(start, end);
      const cached = this.entries.size < MAX_CACHED_TAGS;
      entry = {
        bytes: own,
        words: viewOf(own),
        text: this.decoder.decode(own),
        id: cached ? this.entries.size : -1,
        next: null,
      };
      if (cached) this.entries.set(hash, entry);
    }
    if (this.last !== null) this.last.next = entry;
    this.last = entry;
    return entry;
  }
}

/**
 * Whether the tag's bytes are view[start, end): compared as 32-bit words, the last word overlapping the one before
 * when the length is not a multiple of 4 (one compare instead of up to three byte compares); a tag under 4 bytes
 * byte by byte.
 */
function sameBytes(tag: TagEntry, view: DataView, start: number, end: number): boolean {
  const n = tag.bytes.length;
  if (n !== end - start) return false;
  const { words } = tag;
  if (n < 4) {
    for (let i = 0; i < n; i++) if (words.getUint8(i) !== view.getUint8(start + i)) return false;
    return true;
  }
  for (let i = 0; i + 4 < n; i += 4) if (words.getInt32(i) !== view.getInt32(start + i)) return false;
  return words.getInt32(n - 4) === view.getInt32(end - 4);
}

/** Decodes events one record at a time; keeps what spans records (tags, the plugin each tag was declared with). */
export class EventDecoder {
  private readonly tags = new TagCache();
  /** Tags whose first value declared a plugin other than scalars: their later values are skipped as that kind. */
  private readonly pluginOfTag = new Map<string, SkippedKind>();
  /** One reader per nesting level, reused for every event. */
  private readonly eventReader = new ProtoReader(new Uint8Array(0), 0, 0);
  private readonly summaryReader = new ProtoReader(new Uint8Array(0), 0, 0);
  private readonly valueReader = new ProtoReader(new Uint8Array(0), 0, 0);
  /** The bytes last decoded from and a view of them (the reader hands in the same chunk for many records). */
  private viewed: Uint8Array | null = null;
  private view = viewOf(new Uint8Array(0));

  constructor(private readonly visitor: EventVisitor) {}

  /** The tags declared so far with a plugin other than scalars, and the kind of their values. */
  declarations(): [string, SkippedKind][] {
    return [...this.pluginOfTag];
  }

  /** Declarations made by a decoder of a later part of the same file (a read in two); a tag's first one wins. */
  adopt(declarations: readonly [string, SkippedKind][]): void {
    for (const [tag, kind] of declarations) if (!this.pluginOfTag.has(tag)) this.pluginOfTag.set(tag, kind);
  }

  /**
   * One event from bytes[start, end); false when it is not a well-formed Event message. Kept this small so that V8
   * inlines it into the record loop (the general reader apart).
   */
  decode(bytes: Uint8Array, start: number, end: number): boolean {
    return this.simpleScalar(bytes, start, end) || this.anyEvent(bytes, start, end);
  }

  /** `decode` for any shape of event, by the general reader. */
  private anyEvent(bytes: Uint8Array, start: number, end: number): boolean {
    const r = this.eventReader.reset(bytes, start, end);
    let step = 0;
    let summary = -1;
    let summaryEnd = -1;
    let sessionLog = -1;
    let sessionLogEnd = -1;
    let graph = false;
    // Fields may come in any order: the step is known only once the whole event is read.
    while (!r.done) {
      const key = r.key();
      if (r.failed) break;
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 2 && wire === WIRE_VARINT) step = r.varint();
      else if (field === 5 && wire === WIRE_LENGTH) {
        summary = r.lengthDelimited();
        summaryEnd = r.pos;
      } else if (field === 7 && wire === WIRE_LENGTH) {
        sessionLog = r.lengthDelimited();
        sessionLogEnd = r.pos;
      } else {
        if ((field === 4 || field === 8 || field === 9) && wire === WIRE_LENGTH) graph = true;
        r.skip(wire);
      }
    }
    if (r.failed) return false;
    if (graph) this.visitor.skipped('graph');
    if (sessionLog >= 0 && !this.sessionLog(bytes, sessionLog, sessionLogEnd, step)) return false;
    return summary < 0 || this.summary(bytes, summary, summaryEnd, step);
  }

  /**
   * The shape nearly every scalar event has (PyTorch, TensorFlow, Keras): Event{1 wall_time, 2 step, 5 Summary{1
   * Value{1 tag, 2 simple_value}}} in field order, with one-byte lengths and a step below 2^28. Read without the
   * general reader and handed on: true. Any other shape, or a tag declared with another plugin: false, and nothing
   * was handed on, so `decode` reads it the general way (which gives the same result for this shape).
   */
  private simpleScalar(bytes: Uint8Array, start: number, end: number): boolean {
    let p = bytes[start] === 0x09 ? start + 9 : start; // wall_time, fixed64
    if (bytes[p] !== 0x10) return false; // step, varint
    let step = bytes[p + 1];
    p += 2;
    if (step >= 0x80) {
      let b = bytes[p++];
      step = (step & 0x7f) | ((b & 0x7f) << 7);
      if (b >= 0x80) {
        b = bytes[p++];
        step |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = bytes[p++];
          if (b >= 0x80) return false;
          step |= b << 21;
        }
      }
    }
    // Each length must end exactly at the event's end: then every byte read below is inside the event.
    if (bytes[p] !== 0x2a || bytes[p + 1] >= 0x80 || p + 2 + bytes[p + 1] !== end) return false; // summary
    p += 2;
    if (bytes[p] !== 0x0a || bytes[p + 1] >= 0x80 || p + 2 + bytes[p + 1] !== end) return false; // value
    p += 2;
    const tagLength = bytes[p + 1];
    if (bytes[p] !== 0x0a || tagLength >= 0x80) return false; // tag
    const tagStart = p + 2;
    p = tagStart + tagLength;
    if (bytes[p] !== 0x15 || p + 5 !== end) return false; // simple_value, fixed32
    const view = this.viewOf(bytes);
    const { text, id } = this.tags.get(bytes, view, tagStart, tagStart + tagLength);
    if (this.pluginOfTag.size > 0 && this.pluginOfTag.has(text)) return false;
    this.visitor.scalar(text, step, view.getFloat32(p + 1, true), id);
    return true;
  }

  /** A view of `bytes`, made once per buffer. */
  private viewOf(bytes: Uint8Array): DataView {
    if (bytes !== this.viewed) {
      this.viewed = bytes;
      this.view = viewOf(bytes);
    }
    return this.view;
  }

  private sessionLog(bytes: Uint8Array, start: number, end: number, step: number): boolean {
    const r = new ProtoReader(bytes, start, end);
    while (!r.done) {
      const key = r.key();
      if (key === (1 << 3) + WIRE_VARINT) {
        if (r.varint() === SESSION_START) this.visitor.sessionStart(step);
      } else r.skip(key & 7);
    }
    return !r.failed;
  }

  private summary(bytes: Uint8Array, start: number, end: number, step: number): boolean {
    const r = this.summaryReader.reset(bytes, start, end);
    while (!r.done) {
      const key = r.key();
      if (key === (1 << 3) + WIRE_LENGTH) {
        const value = r.lengthDelimited();
        if (!r.failed && !this.value(bytes, value, r.pos, step)) return false;
      } else r.skip(key & 7);
    }
    return !r.failed;
  }

  /** One Summary.Value: a scalar handed on, anything else counted as skipped. */
  private value(bytes: Uint8Array, start: number, end: number, step: number): boolean {
    const r = this.valueReader.reset(bytes, start, end);
    let tagStart = -1;
    let tagEnd = -1;
    let simple: number | null = null;
    let tensor: ProtoReader | null = null;
    let plugin: SkippedKind | 'scalar' | null = null;
    let kind: SkippedKind | null = null;
    while (!r.done) {
      const key = r.key();
      if (r.failed) break;
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 1 && wire === WIRE_LENGTH) {
        tagStart = r.lengthDelimited();
        tagEnd = r.pos;
      } else if (field === 2 && wire === WIRE_FIXED32) simple = r.fixed32Float();
      else if (field === 8 && wire === WIRE_LENGTH) tensor = r.message();
      else if (field === 9 && wire === WIRE_LENGTH) plugin = pluginKind(r.message());
      else {
        if (field === 3 || field === 5) kind = 'histogram';
        else if (field === 4) kind = 'image';
        else if (field === 6) kind = 'audio';
        r.skip(wire);
      }
    }
    if (r.failed) return false;
    const { text: tag, id } = tagStart >= 0 ? this.tags.get(bytes, this.viewOf(bytes), tagStart, tagEnd) : NO_TAG;
    // A plugin is declared by a tag's first value; asked only when one names another plugin (rare), not per scalar.
    if (plugin !== null && plugin !== 'scalar' && !this.pluginOfTag.has(tag) && this.visitor.hasScalars?.(tag) !== true)
      this.pluginOfTag.set(tag, plugin);
    // Only tags declared with another plugin are held here: a scalars-only file skips the lookup.
    const declared = this.pluginOfTag.size > 0 ? this.pluginOfTag.get(tag) : undefined;
    if (kind !== null || declared !== undefined) {
      this.visitor.skipped(kind ?? declared ?? 'other');
      return true;
    }
    if (simple !== null) {
      this.visitor.scalar(tag, step, simple, id);
      return true;
    }
    const scalar = tensor === null ? null : tensorScalar(tensor);
    if (typeof scalar === 'number') this.visitor.scalar(tag, step, scalar, id);
    else if (scalar === 'malformed') return false;
    else this.visitor.skipped(scalar ?? 'other');
    return true;
  }
}

/** The kind of values a SummaryMetadata's plugin_data.plugin_name declares; null when it names none. */
function pluginKind(metadata: ProtoReader): SkippedKind | 'scalar' | null {
  let name: string | null = null;
  while (!metadata.done) {
    const key = metadata.key();
    if (key === (1 << 3) + WIRE_LENGTH) {
      const data = metadata.message();
      while (!data.done) {
        const k = data.key();
        if (k === (1 << 3) + WIRE_LENGTH) {
          const s = data.lengthDelimited();
          if (!data.failed) name = UTF8.decode(data.bytes.subarray(s, data.pos));
        } else data.skip(k & 7);
      }
    } else metadata.skip(key & 7);
  }
  if (name === null || name === '') return null;
  return PLUGIN_KINDS[name] ?? 'other';
}

/** A rank-0 (one-element) DT_FLOAT or DT_DOUBLE tensor's value; otherwise what it is, or 'malformed'. */
function tensorScalar(t: ProtoReader): number | SkippedKind | 'malformed' {
  let dtype = 0;
  let elements = 1;
  let value: number | null = null;
  // How many values float_val and double_val hold: a scalar has one (more is a malformed tensor, not its first value).
  let values = 0;
  let content: { start: number; end: number } | null = null;
  while (!t.done) {
    const key = t.key();
    if (t.failed) break;
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === WIRE_VARINT) dtype = t.varint();
    else if (field === 2 && wire === WIRE_LENGTH) elements = shapeElements(t.message());
    else if (field === 4 && wire === WIRE_LENGTH) {
      const start = t.lengthDelimited();
      content = { start, end: t.pos };
    } else if ((field === 5 && wire === WIRE_FIXED32) || (field === 6 && wire === WIRE_FIXED64)) {
      // Read before `??=`, which would skip the read (and leave its bytes to be parsed as keys) once a value is held.
      const read = field === 5 ? t.fixed32Float() : t.fixed64Double();
      value ??= read;
      values++;
    } else if ((field === 5 || field === 6) && wire === WIRE_LENGTH) {
      const packed = t.message();
      values += Math.ceil((packed.end - packed.pos) / (field === 5 ? 4 : 8));
      if (!packed.done) value ??= field === 5 ? packed.fixed32Float() : packed.fixed64Double();
    } else t.skip(wire);
  }
  if (t.failed) return 'malformed';
  if (dtype === DT_STRING) return 'text';
  if ((dtype !== DT_FLOAT && dtype !== DT_DOUBLE) || elements !== 1) return 'other';
  if (values > 1) return 'other';
  if (value !== null) return value;
  const width = dtype === DT_FLOAT ? 4 : 8;
  if (content === null || content.end - content.start !== width) return 'other';
  return littleEndianFloat(t.bytes, content.start, width);
}

/** The element count of a TensorShapeProto{2 repeated Dim{1 size}, 3 unknown_rank}; -1 when unknown. */
function shapeElements(shape: ProtoReader): number {
  let elements = 1;
  let unknown = false;
  while (!shape.done) {
    const key = shape.key();
    if (key === (2 << 3) + WIRE_LENGTH) {
      const dim = shape.message();
      let size = -1;
      while (!dim.done) {
        const k = dim.key();
        if (k === (1 << 3) + WIRE_VARINT) size = dim.varint();
        else dim.skip(k & 7);
      }
      if (size < 0) unknown = true;
      else elements *= size;
    } else if (key === (3 << 3) + WIRE_VARINT) {
      if (shape.varint() !== 0) unknown = true;
    } else shape.skip(key & 7);
  }
  return shape.failed || unknown ? -1 : elements;
}
