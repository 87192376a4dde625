// Every message the server sends without waiting for an answer (statuses, diagnostics, log lines, lens refreshes)
// goes through one outbox. The connection throws "Connection is disposed" (at once, or as a rejection) once it is
// disposed or closed, and a send made by a fit that settles after that would otherwise escape as an unhandled
// rejection: the editor is gone then, so the message is dropped, and the first such drop is noted on stderr.
import type { Connection } from 'vscode-languageserver';

export class Outbox {
  private closed = false;
  private noted = false;

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
    if (this.noted) return;
    this.noted = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.note(`Scaling Lens: ${what} not sent (${reason}); later messages that cannot be sent are dropped quietly.`);
  }
}

/** A log line for the editor's output channel, through the outbox (connection.console throws once disposed). */
export function logVia(outbox: Outbox, connection: Connection): (message: string) => void {
  return (message) => outbox.send('log line', () => connection.console.info(message));
}
