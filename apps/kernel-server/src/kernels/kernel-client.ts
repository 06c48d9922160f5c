import type { JupyterMessage } from "@tessera/protocol";

/**
 * Anything that talks to a kernel through the server: a Jupyter WebSocket connection, or
 * the server's own document service. Replies go to the client that sent the request;
 * iopub goes to every client.
 */
export interface KernelClient {
  /** The Jupyter `session_id` of the connection (reconnects reuse it). */
  readonly sessionId: string;
  deliver(msg: JupyterMessage): void;
}
