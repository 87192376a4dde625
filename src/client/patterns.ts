/**
 * The files Scaling Lens serves in an editor (lenses, hovers, diagnostics); the same glob drives the client's document
 * selector and the status item. Other formats (event files, MLflow folders, any JSON document) are fitted from the
 * explorer, the palette or the Runs view, read from disk.
 */
export const RUN_FILE_PATTERN = '**/{*.csv,*.tsv,*.jsonl,*.ndjson,trainer_state.json}';

/**
 * MLflow's metric files (`mlruns/<experiment>/<run>/metrics/<key>`, no extension): served for their hovers, the row
 * each record went into when their run folder is fitted; the server fits them only as part of their run.
 */
export const MLFLOW_METRIC_PATTERN = '**/mlruns/*/*/metrics/**';

/** The documents the language server serves: run files, and MLflow's metric files (DVCLive's are TSVs already). */
export const SERVED_DOCUMENTS = [
  { scheme: 'file', pattern: RUN_FILE_PATTERN },
  { scheme: 'file', pattern: MLFLOW_METRIC_PATTERN },
];

/** The same files as RUN_FILE_PATTERN, by name. */
export const RUN_FILE_NAME = /(\.(csv|tsv|jsonl|ndjson)|(^|[\\/])trainer_state\.json)$/i;
