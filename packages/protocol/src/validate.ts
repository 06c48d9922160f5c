import { CHANNELS, type Channel, type JupyterMessage } from "./messages.js";

/** Thrown by {@link parseMessage} with a human-readable reason. */
export class MessageError extends Error {
  constructor(
    message: string,
    readonly partial?: Partial<JupyterMessage>,
  ) {
    super(message);
    this.name = "MessageError";
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks that a decoded JSON value has the shape of a Jupyter message and returns it typed.
 * Throws {@link MessageError} naming the first problem found.
 */
export function validateMessage(value: unknown, defaultChannel?: Channel): JupyterMessage {
  if (!isObject(value)) throw new MessageError("message must be a JSON object");
  const header = value.header;
  if (!isObject(header)) throw new MessageError("message.header must be an object");
  for (const key of ["msg_id", "msg_type", "session"] as const) {
    if (typeof header[key] !== "string" || (header[key] as string).length === 0) {
      throw new MessageError(`message.header.${key} must be a non-empty string`);
    }
  }
  for (const key of ["username", "date", "version"] as const) {
    if (header[key] !== undefined && typeof header[key] !== "string") {
      throw new MessageError(`message.header.${key} must be a string`);
    }
  }
  const channel = value.channel ?? defaultChannel;
  if (typeof channel !== "string" || !CHANNELS.includes(channel as Channel)) {
    throw new MessageError(`message.channel must be one of ${CHANNELS.join(", ")}`, { header: header as never });
  }
  const parent = value.parent_header ?? {};
  if (!isObject(parent)) throw new MessageError("message.parent_header must be an object", { header: header as never });
  const metadata = value.metadata ?? {};
  if (!isObject(metadata)) throw new MessageError("message.metadata must be an object", { header: header as never });
  const content = value.content ?? {};
  if (!isObject(content)) throw new MessageError("message.content must be an object", { header: header as never });
  if (value.buffers !== undefined && !Array.isArray(value.buffers)) {
    throw new MessageError("message.buffers must be an array", { header: header as never });
  }
  return {
    header: {
      msg_id: header.msg_id as string,
      msg_type: header.msg_type as string,
      session: header.session as string,
      username: (header.username as string | undefined) ?? "",
      date: (header.date as string | undefined) ?? new Date().toISOString(),
      version: (header.version as string | undefined) ?? "5.3",
    },
    parent_header: parent as JupyterMessage["parent_header"],
    metadata,
    content,
    channel: channel as Channel,
    buffers: (value.buffers as unknown[] | undefined) ?? [],
  };
}

/** Decodes a JSON text frame into a validated message. */
export function parseMessage(text: string, defaultChannel?: Channel): JupyterMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MessageError(`malformed JSON: ${(err as Error).message}`);
  }
  return validateMessage(value, defaultChannel);
}
