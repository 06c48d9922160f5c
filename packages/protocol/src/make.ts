import { PROTOCOL_VERSION, type Channel, type JupyterMessage, type MessageHeader } from "./messages.js";

// Captured when this module loads. Inside a kernel every message is made here, and a cell
// may later replace any built-in (`Array.prototype.map = …`, `Date.prototype.toISOString
// = …`, `Object.prototype.metadata = …`): messages must come out the same regardless.
const ReflectApply = Reflect.apply;
const ObjectHasOwn = Object.hasOwn;
const Bytes = Uint8Array;
const DateCtor = Date;
const dateToISOString = Date.prototype.toISOString;
const randomSource: Crypto | undefined = globalThis.crypto;
const getRandomValues = randomSource?.getRandomValues;
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX[i] = (i + 0x100).toString(16).slice(1);

/**
 * A fresh message id (UUID v4, as Jupyter clients use). Uses getRandomValues, which
 * browsers offer on plain-http pages too (randomUUID needs a secure context).
 */
export function newId(): string {
  const b = new Bytes(16);
  if (getRandomValues) ReflectApply(getRandomValues, randomSource, [b]);
  else globalThis.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  let id = "";
  for (let i = 0; i < 16; i++) {
    id += HEX[b[i]];
    if (i === 3 || i === 5 || i === 7 || i === 9) id += "-";
  }
  return id;
}

export interface MakeMessageOptions {
  session: string;
  username?: string;
  parent?: JupyterMessage | MessageHeader | null;
  metadata?: Record<string, unknown>;
}

/** An option the caller gave, never one inherited from a polluted Object.prototype. */
function option<K extends keyof MakeMessageOptions>(options: MakeMessageOptions, key: K): MakeMessageOptions[K] | undefined {
  return ObjectHasOwn(options, key) ? options[key] : undefined;
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
  const parent = option(options, "parent") ?? null;
  const parentHeader = parent === null ? {} : ObjectHasOwn(parent, "header") ? (parent as JupyterMessage).header : parent;
  return {
    header: {
      msg_id: newId(),
      msg_type: msgType,
      session: options.session,
      username: option(options, "username") ?? "tessera",
      date: ReflectApply(dateToISOString, new DateCtor(), []) as string,
      version: PROTOCOL_VERSION,
    },
    parent_header: parentHeader as MessageHeader,
    metadata: option(options, "metadata") ?? {},
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
