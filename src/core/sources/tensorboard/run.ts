// A run's event files -> one Table: every scalar tag a column on the step axis (through StepTableBuilder), restarts
// and duplicate steps resolved as TensorBoard resolves them, and everything left out said once.
//
// TensorBoard's rules, per folder of event files (a sub-folder is its own series of files): a SessionLog START at
// step T orphans every point logged before it with step >= T; a tag whose step goes back to T has its points from T
// on rewritten; a step logged twice keeps the later value. Two rules of our own: Keras' `epoch_*` tags count epochs,
// not steps, so when a run also has `batch_*` tags (on the step axis) the epoch tags are left out; and Lightning's
// `hp_metric` placeholder of -1 is left out.
import { stat } from 'node:fs/promises';
import { ProblemLog, quote } from '../../table/problems';
import type { ParallelMode } from '../../table/parallel';
import type { Table } from '../../table/types';
import { StepTableBuilder, type SeriesSink } from '../stepTable';
import type { SourceOptions } from '../types';
import {
  EventDecoder,
  readEvents,
  type EventSink,
  type EventsRead as RecordsRead,
  type ScalarRecords,
  type SkippedKind,
} from './eventFile';
import { readEventsInTwo } from './split';
import type { EventFileRef } from './layout';

/** One tag of one folder: its column name and the last step it logged. */
interface TagState {
  name: string;
  last: number;
  /** Keras epoch tag: held back until the run is known to have no batch tags. */
  epoch: boolean;
  placeholder: boolean;
  /** Neither an epoch tag nor the placeholder: a point goes straight to its series. */
  plain: boolean;
  /** The builder's series of the column, once it has a point (null: left out by the column cap). */
  series: SeriesSink | null | undefined;
}

/** A tag of a folder, its state, and the tag that came after it the last time it was seen. */
interface TagLink {
  tag: string;
  state: TagState;
  next: TagLink | null;
}

/**
 * A folder's tags and their states. A writer logs its tags in the same order at every step, so the tag after the
 * last one is tried first (a string compare) before the lookup by name: one lookup fewer per point of a large run.
 */
class FolderTags {
  private readonly byTag = new Map<string, TagLink>();
  private last: TagLink | null = null;

  get(tag: string): TagState | undefined {
    const guess = this.last === null ? null : this.last.next;
    const link = guess !== null && guess.tag === tag ? guess : this.byTag.get(tag);
    if (link === undefined) return undefined;
    if (this.last !== null) this.last.next = link;
    this.last = link;
    return link.state;
  }

  set(tag: string, state: TagState): void {
    const link: TagLink = { tag, state, next: null };
    this.byTag.set(tag, link);
    if (this.last !== null) this.last.next = link;
    this.last = link;
  }

  states(): TagState[] {
    return Array.from(this.byTag.values(), (link) => link.state);
  }
}

/** A point of a Keras epoch tag, held until the end (one per epoch: few). */
interface HeldPoint {
  name: string;
  step: number;
  value: number;
  record: number;
}

/** What was left out, for the one info that says so. */
interface LeftOut {
  kinds: Record<SkippedKind, number>;
  placeholders: number;
  restarts: string[];
  restartCount: number;
}

const SKIPPED_WORDS: Record<SkippedKind, string> = {
  graph: 'graph(s)',
  histogram: 'histogram value(s)',
  image: 'image value(s)',
  audio: 'audio value(s)',
  text: 'text or string value(s)',
  other: 'other non-scalar value(s)',
};

export class RunReader {
  readonly problems: ProblemLog;
  private readonly builder: StepTableBuilder;
  /** Keras epoch tags' points by column name, each in step order like the builder's series. */
  private readonly held = new Map<string, HeldPoint[]>();
  private readonly leftOut: LeftOut = {
    kinds: { graph: 0, histogram: 0, image: 0, audio: 0, text: 0, other: 0 },
    placeholders: 0,
    restarts: [],
    restartCount: 0,
  };
  private readonly columns = new Map<string, TagState>();
  /** Each sub-folder prefix's tags: one TensorBoard run, whose restarts stay inside it. */
  private readonly folders = new Map<string, FolderTags>();
  /** Each file's sink and decoder, kept so a later read of it (a live follower's) resumes with its tags' plugins. */
  private readonly decoders = new Map<string, { sink: EventSink; decoder: EventDecoder }>();
  /** What the last read of each file left to say: a record not written whole yet, or why it could not be read. */
  private readonly fileNotes = new Map<
    string,
    { shown: string; record: number; partial: RecordsRead['partial']; error?: string }
  >();
  private hasBatchTags = false;
  private record = 0;
  private bytesRead = 0;
  /**
   * While `readFiles` reads: the files' total size, the bytes of the files already read, and where the current record
   * starts in its file; from them the builder's series predict their final length (0 total: unknown).
   */
  private readonly progress = { total: 0, done: 0, offset: 0 };

  /** Whether a large file is read by two threads (split.ts). */
  private readonly parallel: ParallelMode;
  /** Only the records that start in a file's first this many bytes are read (SourceOptions.headBytes: a sample). */
  private readonly headBytes: number | undefined;

  constructor(display: string, options: SourceOptions) {
    this.parallel = options.parallel ?? 'auto';
    this.headBytes = options.headBytes;
    this.problems = new ProblemLog(display, options.maxProblems);
    const { progress } = this;
    this.builder = new StepTableBuilder(this.problems, () =>
      progress.total > 0 ? (progress.done + progress.offset) / progress.total : 0,
    );
  }

  /** Reads the files in order; each sub-folder prefix is one TensorBoard run whose restarts stay inside it. */
  async readFiles(files: readonly EventFileRef[]): Promise<void> {
    const sizes = await Promise.all(
      files.map((file) =>
        stat(file.path).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    this.progress.total = sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < files.length; i++) {
      await this.readFile(files[i], 0);
      this.progress.done += sizes[i];
    }
    // Later reads (a live follower's appends) have no known end: their series grow by doubling.
    this.progress.total = 0;
  }

  /**
   * Reads a file's records from byte `from` (0, or the `end` of its last read: a live follower reads only what was
   * appended) and returns where the read stopped. A record cut short is left for the next read.
   */
  async readFile(file: EventFileRef, from: number): Promise<RecordsRead> {
    let tags = this.folders.get(file.prefix);
    if (tags === undefined) this.folders.set(file.prefix, (tags = new FolderTags()));
    let resumed = this.decoders.get(file.path);
    if (resumed === undefined || from === 0) {
      const sink = this.sink(file, tags);
      this.decoders.set(file.path, (resumed = { sink, decoder: new EventDecoder(sink) }));
    }
    // A whole file may be read by two threads (split.ts); what a follower appends, from where it stopped, by one; a
    // sample, the head of the file.
    const read =
      this.headBytes !== undefined
        ? await readEvents(file.path, from, resumed.sink, resumed.decoder, this.headBytes)
        : from === 0
          ? await readEventsInTwo(file.path, resumed.sink, resumed.decoder, { mode: this.parallel })
          : await readEvents(file.path, from, resumed.sink, resumed.decoder);
    this.bytesRead += read.end - from;
    this.fileNotes.set(file.path, {
      shown: file.shown,
      record: this.record + 1,
      partial: read.partial,
      error: read.error,
    });
    return read;
  }

  /** What the last reads left to say about each file: said in the table, not kept (a later read may complete it). */
  private noteFiles(problems: ProblemLog): void {
    for (const { shown, record, partial, error } of this.fileNotes.values()) {
      if (error !== undefined) problems.addForFile('file-unreadable', 'error', record, 1, error);
      if (partial !== null)
        problems.addForFile(
          'event-record-partial',
          'info',
          record,
          1,
          `${shown}: the last record (from byte ${partial.offset}, ${partial.bytes} bytes so far) is not ` +
            'complete: its writer is still running (or stopped mid-write); it is read once it is written',
        );
    }
  }

  private sink(file: EventFileRef, tags: FolderTags): EventSink {
    /** The folder's state of each tag by its decoder's id (a tag's state, once made, is never replaced). */
    const stateById: (TagState | undefined)[] = [];
    const stateOf = (tag: string, tagId: number): TagState | undefined => {
      const state = tags.get(tag);
      if (state !== undefined && tagId >= 0) stateById[tagId] = state;
      return state;
    };
    return {
      // The usual point (a known column's, in step order) is pushed here, small enough to be inlined into the
      // decoder with the series' push (a double handed to a call that is not inlined is boxed: garbage per point);
      // anything else goes the whole way.
      scalar: (tag, step, value, tagId = -1) => {
        const state = (tagId >= 0 ? stateById[tagId] : undefined) ?? stateOf(tag, tagId);
        if (state !== undefined && state.plain && state.series && step >= state.last) {
          state.last = step;
          state.series.push(step, value, this.record);
        } else this.scalar(file, tags, tag, step, value);
      },
      sessionStart: (step) => this.restart(file, tags, step),
      skipped: (kind) => this.leftOut.kinds[kind]++,
      hasScalars: (tag) => tags.get(tag) !== undefined,
      scalarRecords: (records) => this.scalarRecords(tags, records),
      record: (offset) => {
        this.record++;
        this.progress.offset = offset;
      },
      corrupt: (offset, reason) => {
        this.record++;
        this.problems.add(
          'event-record-corrupt',
          'warning',
          this.record,
          1,
          `${file.shown}: the record at byte ${offset} is corrupt (${reason}); it is skipped and any records after ` +
            'it are read',
        );
      },
    };
  }

  private scalar(file: EventFileRef, tags: FolderTags, tag: string, step: number, value: number): void {
    let state = tags.get(tag);
    if (state === undefined) {
      // One state per column: a root tag `eval/loss` and an `eval/` sub-folder's `loss` share the column and its order.
      const name = file.prefix + tag;
      const epoch = tag.startsWith('epoch_');
      const placeholder = tag === 'hp_metric';
      state = this.columns.get(name) ?? {
        name,
        last: Number.NEGATIVE_INFINITY,
        epoch,
        placeholder,
        plain: !epoch && !placeholder,
        series: undefined,
      };
      this.columns.set(name, state);
      tags.set(tag, state);
      if (tag.startsWith('batch_')) this.hasBatchTags = true;
    }
    if (state.placeholder && value === -1) {
      this.leftOut.placeholders++;
      return;
    }
    if (step < state.last) {
      this.noteRestart(`${quote(state.name)} went back from step ${state.last} to ${step} in ${file.shown}`);
      this.dropFrom(step, [state.name]);
    }
    state.last = step;
    if (state.epoch) {
      let points = this.held.get(state.name);
      if (points === undefined) this.held.set(state.name, (points = []));
      points.push({ name: state.name, step, value, record: this.record });
    } else {
      if (state.series === undefined) state.series = this.builder.seriesOf(state.name, this.record);
      if (state.series !== null) state.series.push(step, value, this.record);
      else this.builder.add(state.name, step, value, this.record);
    }
  }

  /**
   * Records of one scalar each (a part read by the other thread), appended at once when every one is a point of a
   * column this read already has (not an epoch tag, not the placeholder) whose step does not go back: what `scalar`
   * would do for each, without its lookups. Otherwise false, and nothing was done.
   */
  private scalarRecords(tags: FolderTags, { count, nums, tagIds, tags: names }: ScalarRecords): boolean {
    // By tag id: the tag's state, its series and its last step as the records go.
    const states: (TagState | undefined)[] = [];
    const series: SeriesSink[] = [];
    const last = new Float64Array(names.length);
    for (let i = 0; i < count; i++) {
      const id = tagIds[i];
      if (states[id] === undefined) {
        const state = tags.get(names[id]);
        if (state === undefined || state.epoch || state.placeholder || !state.series) return false;
        states[id] = state;
        series[id] = state.series;
        last[id] = state.last;
      }
      const step = nums[3 * i + 1];
      if (step < last[id]) return false;
      last[id] = step;
    }
    for (let i = 0; i < count; i++) {
      this.record++;
      this.progress.offset = nums[3 * i];
      series[tagIds[i]].push(nums[3 * i + 1], nums[3 * i + 2], this.record);
    }
    states.forEach((state, id) => {
      if (state !== undefined) state.last = last[id];
    });
    return true;
  }

  /** A SessionLog START at `step`: the folder's points at or after it are orphaned. */
  private restart(file: EventFileRef, tags: FolderTags, step: number): void {
    const states = tags.states();
    const names = states.filter((s) => s.last >= step).map((s) => s.name);
    if (names.length > 0) this.noteRestart(`the writer restarted at step ${step} in ${file.shown}`);
    this.dropFrom(step, names);
    for (const state of states) if (state.last >= step) state.last = step - 1;
  }

  /** Drops the named series' points at `step` or later; each series is in step order, so only its tail goes. */
  private dropFrom(step: number, names: readonly string[]): void {
    this.builder.dropTailFrom(step, names);
    for (const name of names) {
      const points = this.held.get(name);
      while (points !== undefined && points.length > 0 && points[points.length - 1].step >= step) points.pop();
    }
  }

  private noteRestart(what: string): void {
    this.leftOut.restartCount++;
    if (this.leftOut.restarts.length < 3) this.leftOut.restarts.push(what);
  }

  /**
   * The table of everything read so far; `run` names it when the source knows the run's name. It leaves the reader as
   * it was (its problems, points and held epoch points are copied into the table), so reading may go on after it.
   */
  finish(run: string | undefined): Table {
    const problems = this.problems.copy();
    const builder = this.builder.fork(problems);
    const epochLeftOut = this.hasBatchTags ? this.held.size : 0;
    // Epoch tags are never in the builder itself: the fork adds their points to series of its own.
    if (!this.hasBatchTags)
      for (const points of this.held.values()) for (const p of points) builder.add(p.name, p.step, p.value, p.record);
    this.noteFiles(problems);
    this.report(problems, epochLeftOut);
    return builder.finish({ format: 'tensorboard', bytesRead: this.bytesRead, run });
  }

  private report(problems: ProblemLog, epochLeftOut: number): void {
    const { kinds, placeholders, restarts, restartCount } = this.leftOut;
    const parts = (Object.keys(kinds) as SkippedKind[])
      .filter((k) => kinds[k] > 0)
      .map((k) => `${kinds[k]} ${SKIPPED_WORDS[k]}`);
    if (parts.length > 0)
      problems.addForFile('event-values-skipped', 'info', 1, 1, `${parts.join(', ')} skipped: they hold no scalars`);
    if (epochLeftOut > 0)
      problems.addForFile(
        'event-values-skipped',
        'info',
        1,
        1,
        `${epochLeftOut} Keras epoch_* tag(s) left out: they count epochs, while the batch_* tags are on the step axis`,
      );
    if (placeholders > 0)
      problems.addForFile(
        'event-values-skipped',
        'info',
        1,
        1,
        `${placeholders} hp_metric value(s) of -1 left out: Lightning's placeholder, not a measurement`,
      );
    if (restartCount > 0) {
      const more = restartCount > restarts.length ? `, and ${restartCount - restarts.length} more` : '';
      problems.addForFile(
        'event-restart',
        'info',
        1,
        1,
        `${restarts.join('; ')}${more}: the points logged before at those steps or later are replaced, as ` +
          'TensorBoard does',
      );
    }
  }
}
