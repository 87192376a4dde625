/** The files Scaling Lens serves; the same glob drives the client's document selector and the status item. */
export const RUN_FILE_PATTERN = '**/*.{csv,tsv,jsonl,ndjson}';
