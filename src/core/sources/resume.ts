// What a follower keeps of the files of an input it reads again whole (wholeTail.ts), so that a source able to resume
// a file (an MLflow metric file: mlflow.ts) reads only what was appended to it since. Keyed by path; what a read does
// not ask for again (a file gone from the run) is let go when the read is settled, so memory follows the files there.
export class FileResumes<T> {
  private last = new Map<string, T>();
  private next = new Map<string, T>();

  /** What the last read kept of the file at `path`. */
  get(path: string): T | undefined {
    return this.next.get(path) ?? this.last.get(path);
  }

  set(path: string, kept: T): void {
    this.next.set(path, kept);
  }

  /** A read of the input ended: what it kept is what the next one resumes from; the rest is let go. */
  settle(): void {
    this.last = this.next;
    this.next = new Map();
  }
}
