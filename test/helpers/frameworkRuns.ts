// Run folders as the training frameworks write them, for the source tests: Lightning's CSVLogger (metrics.csv with
// training and validation rows, hparams.yaml), MLflow's file store (meta.yaml, metrics/<key>, params/<key>) and
// DVCLive (plots/metrics/<name>.tsv). The curves come from a known law, so a fit on them can be checked.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface RunPoint {
  step: number;
  lr: number;
  loss: number;
}

/** A loss curve under `schedule`: loss = 2.5 + 0.6 * (LR area)^-0.5, logged every `every` steps. */
export function lawCurve(schedule: (step: number) => number, steps = 6000, every = 100): RunPoint[] {
  const points: RunPoint[] = [];
  let area = 0;
  for (let s = 1; s <= steps; s++) {
    area += schedule(s);
    if (s % every === 0) points.push({ step: s, lr: schedule(s), loss: 2.5 + 0.6 * Math.pow(area, -0.5) });
  }
  return points;
}

export const constantLr = (): number => 3e-4;
export const cosineLr = (total: number) => (s: number) => 3e-4 * (0.55 + 0.45 * Math.cos((Math.PI * s) / total));

function write(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/**
 * `<dir>/metrics.csv` as CSVLogger writes it: sorted header, one row per logging call, the training row (LR, train
 * loss) and every `valEvery`-th point a validation row at the same step, the other cells empty.
 */
export function writeLightningMetrics(dir: string, points: readonly RunPoint[], valEvery = 1): string {
  const rows = ['epoch,lr-AdamW,step,train_loss,val_loss'];
  points.forEach((p, i) => {
    const epoch = Math.floor(i / 20);
    rows.push(`${epoch},${p.lr},${p.step},${(p.loss + 0.01).toFixed(6)},`);
    if (i % valEvery === 0) rows.push(`${epoch},,${p.step},,${p.loss.toFixed(6)}`);
  });
  return write(join(dir, 'metrics.csv'), rows.join('\n') + '\n');
}

export function writeFile(path: string, text: string): string {
  return write(path, text);
}

/** An MLflow run folder `<experiment>/<id>/` with meta.yaml, one metric file per key and params. */
export function writeMlflowRun(
  experiment: string,
  id: string,
  run: {
    name?: string;
    deleted?: boolean;
    metrics?: Record<string, string>;
    params?: Record<string, string>;
    tags?: Record<string, string>;
    meta?: string;
  },
): string {
  const dir = join(experiment, id);
  const meta =
    run.meta ??
    [
      `artifact_uri: file://${dir}/artifacts`,
      'end_time: 1721450907230',
      `experiment_id: '1'`,
      `lifecycle_stage: ${run.deleted === true ? 'deleted' : 'active'}`,
      `run_id: ${id}`,
      ...(run.name !== undefined ? [`run_name: ${run.name}`] : []),
      `run_uuid: ${id}`,
      'status: 3',
      'user_id: tester',
    ].join('\n') + '\n';
  write(join(dir, 'meta.yaml'), meta);
  mkdirSync(join(dir, 'metrics'), { recursive: true });
  for (const [key, text] of Object.entries(run.metrics ?? {})) write(join(dir, 'metrics', key), text);
  for (const [key, text] of Object.entries(run.params ?? {})) write(join(dir, 'params', key), text);
  for (const [key, text] of Object.entries(run.tags ?? {})) write(join(dir, 'tags', key), text);
  return dir;
}

/** MLflow metric lines `<timestamp_ms> <value> <step>` of one series. */
export function mlflowLines(points: readonly { step: number; value: number }[], t0 = 1721450900000): string {
  return points.map((p, i) => `${t0 + i * 1000} ${p.value} ${p.step}\n`).join('');
}

/** An MLflow experiment folder with its meta.yaml. */
export function writeMlflowExperiment(store: string, id: string, name: string): string {
  const dir = join(store, id);
  write(
    join(dir, 'meta.yaml'),
    `artifact_location: file://${dir}\nexperiment_id: '${id}'\nlifecycle_stage: active\nname: ${name}\n`,
  );
  return dir;
}

/** A DVCLive folder: `plots/metrics/<name>.tsv` per metric, with the files DVCLive writes beside them. */
export function writeDvclive(dir: string, metrics: Record<string, readonly { step: number; value: number }[]>): string {
  write(join(dir, 'metrics.json'), '{}\n');
  for (const [name, points] of Object.entries(metrics)) {
    const leaf = name.split('/').pop() as string;
    const rows = [`timestamp\tstep\t${leaf}`, ...points.map((p, i) => `${1721450900000 + i}\t${p.step}\t${p.value}`)];
    write(join(dir, 'plots', 'metrics', `${name}.tsv`), rows.join('\n') + '\n');
  }
  return dir;
}

/**
 * A sparse Lightning metrics.csv: five loss points at one LR for the four coefficients of the LR-annealing law, too
 * few for a fit the data support (fit-points-few).
 */
export const SPARSE_LIGHTNING_LINES: readonly string[] = [
  'epoch,step,train_loss,lr-AdamW',
  '0,2000,3.41,0.0003',
  '0,4000,3.02,0.0003',
  '1,6000,2.85,0.0003',
  '1,8000,2.76,0.0003',
  '2,10000,2.70,0.0003',
];

/**
 * A workspace's DVCLive run (`<workspace>/<dvclive>/`) and MLflow run (`mlruns/1/<runId>`, experiment "sweep", run
 * "cosine") of one curve: `losses` for the loss (a NaN where a test wants one), the points' LR for the LR.
 */
export function writeMetricRuns(
  workspace: string,
  runId: string,
  points: readonly RunPoint[],
  losses: readonly { step: number; value: number }[] = points.map((p) => ({ step: p.step, value: p.loss })),
  dvclive = 'dvclive',
): void {
  const lr = points.map((p) => ({ step: p.step, value: p.lr }));
  writeDvclive(join(workspace, dvclive), { 'train/loss': losses, lr });
  writeMlflowRun(writeMlflowExperiment(join(workspace, 'mlruns'), '1', 'sweep'), runId, {
    name: 'cosine',
    metrics: { loss: mlflowLines(losses), lr: mlflowLines(lr) },
  });
}
