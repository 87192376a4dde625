/** The files Scaling Lens serves; the same glob drives the client's document selector and the status item. */
export const RUN_FILE_PATTERN = '**/*.{csv,tsv,jsonl,ndjson}';

/** The same files as RUN_FILE_PATTERN, by name. */
export const RUN_FILE_NAME = /\.(csv|tsv|jsonl|ndjson)$/i;
