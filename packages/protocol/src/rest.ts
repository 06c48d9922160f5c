/** Jupyter Server REST payloads (https://jupyter-server.readthedocs.io/en/latest/developers/rest-api.html). */
import type { KernelExecutionState } from "./messages.js";
import type { Notebook } from "./nbformat.js";

export interface KernelModel {
  id: string;
  name: string;
  last_activity: string;
  execution_state: KernelExecutionState;
  connections: number;
  /** Why the kernel died, when execution_state is "dead". */
  reason?: string;
}

export interface SessionModel {
  id: string;
  path: string;
  name: string;
  type: string;
  kernel: KernelModel | null;
  notebook?: { path: string; name: string };
}

export interface KernelSpecFile {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal" | "message";
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

export interface KernelSpecModel {
  name: string;
  spec: KernelSpecFile;
  resources: Record<string, string>;
}

export interface KernelSpecsModel {
  default: string;
  kernelspecs: Record<string, KernelSpecModel>;
}

export type ContentType = "notebook" | "file" | "directory";
export type ContentFormat = "json" | "text" | "base64" | null;

export interface ContentsModel {
  name: string;
  path: string;
  type: ContentType;
  writable: boolean;
  created: string;
  last_modified: string;
  size: number | null;
  mimetype: string | null;
  format: ContentFormat;
  content: Notebook | string | ContentsModel[] | null;
  hash?: string;
  hash_algorithm?: string;
}

export interface CheckpointModel {
  id: string;
  last_modified: string;
}

export interface StatusModel {
  started: string;
  last_activity: string;
  connections: number;
  kernels: number;
}

/** The body of a REST error reply, as Jupyter Server sends it. */
export interface RestError {
  message: string;
  reason?: string | null;
}
