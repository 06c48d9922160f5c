/**
 * Jupyter messaging protocol v5.3 message shapes.
 * See https://jupyter-client.readthedocs.io/en/stable/messaging.html
 */

export const PROTOCOL_VERSION = "5.3";

export type Channel = "shell" | "control" | "iopub" | "stdin";
export const CHANNELS: readonly Channel[] = ["shell", "control", "iopub", "stdin"];

export interface MessageHeader<T extends string = string> {
  msg_id: string;
  msg_type: T;
  session: string;
  username: string;
  date: string;
  version: string;
  subshell_id?: string | null;
}

/** A Jupyter message as carried over the WebSocket JSON framing (with `channel`). */
export interface JupyterMessage<T extends string = string, C = Record<string, unknown>> {
  header: MessageHeader<T>;
  parent_header: MessageHeader | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  channel: Channel;
  buffers?: unknown[];
}

/** MIME bundle: mime type -> data (string for text/base64, object for JSON types). */
export type MimeBundle = Record<string, unknown>;

export interface ExecuteRequestContent {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

export interface ExecuteReplyOk {
  status: "ok";
  execution_count: number;
  user_expressions?: Record<string, unknown>;
  payload?: unknown[];
}

export interface ErrorContent {
  status?: "error";
  ename: string;
  evalue: string;
  traceback: string[];
  execution_count?: number;
}

export interface AbortedReply {
  status: "aborted";
  execution_count?: number;
}

export type ExecuteReplyContent = ExecuteReplyOk | (ErrorContent & { status: "error"; execution_count: number }) | AbortedReply;

export interface StreamContent {
  name: "stdout" | "stderr";
  text: string;
}

export interface DisplayDataContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient?: { display_id?: string };
}

export interface ExecuteResultContent extends DisplayDataContent {
  execution_count: number;
}

export interface ExecuteInputContent {
  code: string;
  execution_count: number;
}

export type KernelExecutionState = "starting" | "idle" | "busy" | "restarting" | "dead";

export interface StatusContent {
  execution_state: KernelExecutionState;
}

export interface ClearOutputContent {
  wait: boolean;
}

export interface InputRequestContent {
  prompt: string;
  password: boolean;
}

export interface InputReplyContent {
  value: string;
  status?: "ok" | "error";
}

export interface CompleteRequestContent {
  code: string;
  cursor_pos: number;
}

export interface CompleteReplyContent {
  status: "ok" | "error";
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: Record<string, unknown>;
}

export interface InspectRequestContent {
  code: string;
  cursor_pos: number;
  detail_level?: 0 | 1;
}

export interface InspectReplyContent {
  status: "ok" | "error";
  found: boolean;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

export interface IsCompleteRequestContent {
  code: string;
}

export interface IsCompleteReplyContent {
  status: "complete" | "incomplete" | "invalid" | "unknown";
  indent?: string;
}

export interface HistoryRequestContent {
  output: boolean;
  raw: boolean;
  hist_access_type: "range" | "tail" | "search";
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

export interface HistoryReplyContent {
  status: "ok";
  history: Array<[number, number, string] | [number, number, [string, string | null]]>;
}

export interface KernelInfoReplyContent {
  status: "ok";
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: {
    name: string;
    version: string;
    mimetype: string;
    file_extension: string;
    pygments_lexer?: string;
    codemirror_mode?: string | Record<string, unknown>;
  };
  banner: string;
  help_links?: Array<{ text: string; url: string }>;
  debugger?: boolean;
}

export interface ShutdownContent {
  restart: boolean;
  status?: "ok";
}

export interface CommInfoReplyContent {
  status: "ok";
  comms: Record<string, { target_name: string }>;
}

/** Request message types that go shell/control -> kernel, mapped to their reply type. */
export const REPLY_TYPE: Record<string, string> = {
  execute_request: "execute_reply",
  inspect_request: "inspect_reply",
  complete_request: "complete_reply",
  history_request: "history_reply",
  is_complete_request: "is_complete_reply",
  comm_info_request: "comm_info_reply",
  kernel_info_request: "kernel_info_reply",
  shutdown_request: "shutdown_reply",
  interrupt_request: "interrupt_reply",
  debug_request: "debug_reply",
};

/** Message types a client may send, with the channels each may arrive on. */
export const CLIENT_MESSAGE_CHANNELS: Record<string, readonly Channel[]> = {
  execute_request: ["shell"],
  inspect_request: ["shell"],
  complete_request: ["shell"],
  history_request: ["shell"],
  is_complete_request: ["shell"],
  comm_info_request: ["shell"],
  kernel_info_request: ["shell", "control"],
  shutdown_request: ["shell", "control"],
  interrupt_request: ["control"],
  debug_request: ["control"],
  input_reply: ["stdin"],
  comm_open: ["shell"],
  comm_msg: ["shell"],
  comm_close: ["shell"],
};
