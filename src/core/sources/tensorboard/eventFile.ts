// One event file's events, from any byte offset: the piece a live follower uses to read a growing file by its tail.
//
//   const sink = { scalar(tag, step, value) {...}, sessionStart(step) {...}, skipped(kind) {...},
//                  corrupt(offset, reason) {...}, record(offset) {...} /* optional */ };
//   const decoder = new EventDecoder(sink);          // keep it across reads: it remembers each tag's plugin
//   let read = await readEvents(path, 0, sink, decoder);
//   ... the file grows ...
//   read = await readEvents(path, read.end, sink, decoder);   // only the bytes appended since
//
// `end` is the offset of the first byte not consumed: a record cut short at the end of the file (its writer still
// running) is not consumed, so the next read starts at its first byte and reads it whole. `partial` says such a record
// is there. A record whose CRC fails, or whose data is not an Event, goes to `corrupt` with its byte offset and the
// read goes on after it. Never throws: a file that cannot be opened or read gives `error`.
import { EventDecoder, type EventVisitor } from './events';
import { readRecords, type RecordsRead } from './records';

export { EventDecoder, type EventVisitor, type SkippedKind } from './events';
export type { RecordsRead as EventsRead } from './records';

export interface EventSink extends EventVisitor {
  /** Called before each whole record's event is decoded (to number records). */
  record?(offset: number): void;
  /**
   * Optional, for a read in two (split.ts): records that each hold exactly one scalar and nothing else, as the calls
   * `record(offset)` then `scalar(tag, step, value)` per record would give them. Taken whole (true), or not at all
   * (false: the calls are then made one by one).
   */
  scalarRecords?(records: ScalarRecords): boolean;
  /** A record that cannot be read (CRC failed, or not an Event): where it starts, and why. */
  corrupt(offset: number, reason: string): void;
}

/** Records of one scalar each: per record its offset, step and value in `nums` (3 a record) and its tag's id. */
export interface ScalarRecords {
  count: number;
  nums: Float64Array;
  tagIds: Int32Array;
  /** The tags by id. */
  tags: readonly string[];
}

/** Reads the events of `path` from byte `from` to its current end (or of the records that start before `stopAt`). */
export function readEvents(
  path: string,
  from: number,
  sink: EventSink,
  decoder: EventDecoder = new EventDecoder(sink),
  stopAt = Number.POSITIVE_INFINITY,
): Promise<RecordsRead> {
  return readRecords(
    path,
    from,
    {
      record(bytes, start, end, offset) {
        sink.record?.(offset);
        if (!decoder.decode(bytes, start, end)) sink.corrupt(offset, 'its data is not a well-formed event');
      },
      corrupt: (offset, reason) => sink.corrupt(offset, reason),
    },
    stopAt,
  );
}
