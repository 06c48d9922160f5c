import { PROTOCOL_VERSION, type Channel, type JupyterMessage, type MessageHeader } from "./messages.js";

/**
 * A fresh message id (UUID v4, as Jupyter clients use). Uses getRandomValues, which
 * browsers offer on plain-http pages too (randomUUID needs a secure context).
 */
export function newId(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface MakeMessageOptions {
  session: string;
  username?: string;
  parent?: JupyterMessage | MessageHeader | null;
  metadata?: Record<string, unknown>;
}

/**
 * Builds a Jupyter message.
 * @example makeMessage("iopub", "status", { execution_state: "idle" }, { session, parent: request })
 */
export function makeMessage<T extends string, C>(
  channel: Channel,
  msgType: T,
  content: C,
  options: MakeMessageOptions,
): JupyterMessage<T, C> {
  const parent = options.parent ?? null;
  const parentHeader = parent === null ? {} : "header" in parent ? parent.header : parent;
  return {
    header: {
      msg_id: newId(),
      msg_type: msgType,
      session: options.session,
      username: options.username ?? "tessera",
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    },
    parent_header: parentHeader as MessageHeader,
    metadata: options.metadata ?? {},
    content,
    channel,
  };
}

/** The reply to a request: same session, parent set, `*_request` -> `*_reply`. */
export function makeReply<C>(request: JupyterMessage, content: C, channel?: Channel): JupyterMessage<string, C> {
  const type = request.header.msg_type.replace(/_request$/, "_reply");
  return makeMessage(channel ?? request.channel, type, content, {
    session: request.header.session,
    username: request.header.username,
    parent: request,
  });
}
