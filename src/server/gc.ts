// A full garbage collection of the server's thread, on demand. V8 collects when a thread allocates, and the server's
// thread barely allocates while a worker fits: the previous analysis, the replaced document text and the buffers of
// the messages that carried it (about 140 MB for a million-row log) would stay resident through the whole fit and
// add to the worker's peak. Collecting them as a fit starts costs ~10 ms of a thread that is about to wait anyway.
// gc() exists when the server runs with --expose-gc, which the client passes (SERVER_EXEC_ARGV); without it this is
// a no-op and memory is only higher, not wrong.

export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
}
