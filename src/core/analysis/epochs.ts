// The data-repeated finding (README, Findings): a run logged with an epoch count that passes its first epoch trains
// on examples it has already seen. The loss-curve laws describe a run that meets fresh data at every step (both
// papers fit pretraining runs of one pass); on repeated data the training loss falls at each new epoch as the model
// meets examples again, and the validation loss flattens or rises as it overfits. Neither law has a term for that, so
// the fit of such a run and its predictions past the first epoch are read with care. A warning, not a withheld
// prediction: a few epochs of repeated data act almost like fresh data, and the law-departure check withholds the
// predictions of a run whose loss has left its law.
import { finding } from '../findings';
import { isEpochCount, normaliseColumnName } from '../table/roleNames';
import type { Table } from '../table/types';
import { formatCompact } from '../util/format';
import type { Finding } from './types';

/** How the data-repeated message names the laws fitted: the subject of "describe", and that they do not model it. */
export interface EpochLaws {
  subject: string;
  none: string;
}
const LOSS_CURVE_LAWS: EpochLaws = { subject: 'The loss-curve laws describe', none: 'neither law models' };
export const POWER_LAW: EpochLaws = {
  subject: 'The power law L(x) = E + A*x^(-alpha) describes',
  none: 'it does not model',
};

/** Past this many epochs beyond the first, the overshoot is the logger's float rounding, not a second pass. */
const ROUNDING = 1e-6;

/**
 * The column counting epochs (`epoch`, `train/epoch`; not `epoch_loss` or Lightning's `val_loss_epoch`), when the table has a numeric one that is
 * not its step column (a Keras log mapped to epochs as steps).
 */
export function epochColumn(table: Table, stepCol: number | undefined): Float64Array | undefined {
  const index = table.columns.findIndex((c, i) => i !== stepCol && isEpochCount(normaliseColumnName(c.name)));
  return index < 0 ? undefined : table.columns[index].values;
}

/**
 * How the file counts epochs, over all its rows: a count that is always a whole number and starts at 0 is an index
 * (Lightning: epoch 1 is the second pass); any other is progress (Hugging Face's Trainer: 1.0 is the end of the first
 * pass, 1.09 into the second).
 */
export class EpochCount {
  private min = Infinity;
  private fractional = false;

  note(epoch: number): void {
    if (epoch < this.min) this.min = epoch;
    if (!Number.isInteger(epoch)) this.fractional = true;
  }

  get isIndex(): boolean {
    return !this.fractional && this.min === 0;
  }
}

interface EpochRow {
  step: number;
  line: number;
}

/** One run's epochs: its highest, and its earliest row (by step) past the first epoch under each way of counting. */
export class EpochTrack {
  max = -Infinity;
  /** Progress count: the first row past 1. */
  private pastOne?: EpochRow;
  /** Index count: the first row at 1 or more. */
  private fromOne?: EpochRow;

  push(step: number, epoch: number, line: number): void {
    if (epoch > this.max) this.max = epoch;
    if (epoch >= 1 - ROUNDING && (!this.fromOne || step < this.fromOne.step)) this.fromOne = { step, line };
    if (epoch > 1 + ROUNDING && (!this.pastOne || step < this.pastOne.step)) this.pastOne = { step, line };
  }

  /**
   * The data-repeated finding of the run, on the row where its second pass starts; undefined for a single pass.
   * `laws` names what is fitted: the loss-curve laws, or the power law fitted to a curve without an LR.
   */
  finding(curve: string, file: string, count: EpochCount, laws = LOSS_CURVE_LAWS): Finding | undefined {
    const start = count.isIndex ? this.fromOne : this.pastOne;
    if (!start) return undefined;
    const reached = count.isIndex
      ? `epoch index ${formatCompact(this.max)} at most: ${formatCompact(this.max + 1)} passes`
      : `epoch ${formatCompact(this.max)} at most`;
    return {
      ...finding('data-repeated', 'warning', {
        message:
          `"${curve}" passes its first epoch at step ${start.step} (${reached}): from there it trains on ` +
          `examples it has already seen. ${laws.subject} a run that meets fresh data at every step; on ` +
          `repeated data the training loss falls at each new epoch and the validation loss flattens or rises as the ` +
          `model overfits, which ${laws.none}, so its fit and predictions past that step may not hold.`,
        file,
        line: start.line,
      }),
      curve,
    };
  }
}
