/** Shapes shared by the document client, its tests and the page. */
import type { DocKernelState, DocSaveState, DocState } from "@tessera/protocol";
import type { BackoffOptions } from "./backoff.js";

/** The part of a WebSocket the client uses (a browser WebSocket fits; tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DocClientOptions {
  path: string;
  /** The WebSocket URL for a notebook path. */
  url: (path: string) => string;
  createSocket: (url: string) => SocketLike;
  timers?: Timers;
  now?: () => number;
  backoff?: BackoffOptions;
  /** How long complete/inspect wait for their reply. */
  requestTimeoutMs?: number;
  /** Called after a connection attempt failed before any snapshot (e.g. to check the login). */
  onConnectFailed?: (attempt: number) => void;
}

export type ConnectionStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface ConnectionInfo {
  status: ConnectionStatus;
  /** Failed attempts since the last good connection. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while reconnecting. */
  retryAt: number | null;
  /** Why the channel closed for good, when status is "closed". */
  reason?: string;
}

export interface InputPrompt {
  prompt: string;
  password: boolean;
}

/** Everything the page renders from the channel; a new object on every change. */
export interface DocClientState {
  path: string;
  doc: DocState | null;
  version: number;
  clientId: string | null;
  kernel: DocKernelState;
  save: DocSaveState;
  connection: ConnectionInfo;
  /** Open input prompts by cell id. */
  inputs: ReadonlyMap<string, InputPrompt>;
  /** Edits not yet confirmed by the server (typing included). */
  unsentEdits: number;
  /** Set when the server says the notebook was deleted. */
  deleted: boolean;
}
