// Every message the server sends without waiting for an answer (statuses, diagnostics, log lines, lens refreshes)
// goes through one outbox. The connection throws "Connection is disposed" (at once, or as a rejection) once it is
// disposed or closed, and a send made by a fit that settles after that would otherwise escape as an unhandled
// rejection: the editor is gone then, so the message is dropped, and the first such drop is noted on stderr. A send
// that fails for another reason (a message that cannot be serialised, say) is a fault worth seeing: each distinct one
// is noted, up to a bound, so one noted drop of a closing connection does not hide them.
import type { Connection } from 'vscode-languageserver';

/** What a send fails with once the editor's end is gone (vscode-jsonrpc's messages). */
const CONNECTION_GONE = /connection (is |got )?(disposed|closed)/i;
/** Distinct other failures noted at most: a fault repeated per message must not flood stderr. */
const NOTED_FAULTS = 20;

export class Outbox {
  private closed = false;
  private notedGone = false;
  private readonly notedFaults = new Set<string>();

  constructor(private readonly note: (message: string) => void = (message) => console.error(message)) {}

  /** Sends without waiting: a send that fails, at once or later, is dropped. */
  send(what: string, send: () => Promise<unknown> | void): void {
    // After the server's own dispose nothing is sent: nobody is there to read it.
    if (this.closed) return;
    try {
      void Promise.resolve(send()).catch((error: unknown) => this.dropped(what, error));
    } catch (error) {
      this.dropped(what, error);
    }
  }

  /** The server is disposed: later sends are dropped without being tried. */
  close(): void {
    this.closed = true;
  }

  private dropped(what: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (CONNECTION_GONE.test(reason)) {
      if (this.notedGone) return;
      this.notedGone = true;
      this.note(
        `Scaling Lens: ${what} not sent (${reason}); later messages the closed connection cannot take are dropped quietly.`,
      );
      return;
    }
    const fault = `${what}: ${reason}`;
    if (this.notedFaults.has(fault) || this.notedFaults.size >= NOTED_FAULTS) return;
    this.notedFaults.add(fault);
    const last = this.notedFaults.size === NOTED_FAULTS ? ' (the last distinct failure noted)' : '';
    this.note(`Scaling Lens: ${what} not sent (${reason})${last}.`);
  }
}

/** A log line for the editor's output channel, through the outbox (connection.console throws once disposed). */
export function logVia(outbox: Outbox, connection: Connection): (message: string) => void {
  return (message) => outbox.send('log line', () => connection.console.info(message));
}
