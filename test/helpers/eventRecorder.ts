// An EventSink that writes each call it gets as a line, so tests compare what a reader or a replay called.
import type { EventSink } from '../../src/core/sources/tensorboard';

export function recorder(): { sink: EventSink; calls: string[] } {
  const calls: string[] = [];
  const sink: EventSink = {
    record: (offset) => calls.push(`record ${offset}`),
    scalar: (tag, step, value) => calls.push(`scalar ${tag} ${step} ${value}`),
    sessionStart: (step) => calls.push(`start ${step}`),
    skipped: (kind) => calls.push(`skipped ${kind}`),
    corrupt: (offset, reason) => calls.push(`corrupt ${offset} ${reason}`),
  };
  return { sink, calls };
}
