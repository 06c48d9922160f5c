import { MessageError, validateMessage, type Channel, type JupyterMessage } from "@tessera/protocol";

/** The binary kernel WebSocket subprotocol of Jupyter Server 2. */
export const V1_PROTOCOL = "v1.kernel.websocket.jupyter.org";

/**
 * Decodes a frame of `v1.kernel.websocket.jupyter.org`: a u64 LE count of offsets, the
 * offsets, then channel, header, parent_header, metadata, content and buffers.
 */
export function decodeV1(frame: Buffer): JupyterMessage {
  if (frame.length < 8) throw new MessageError("binary frame too short");
  const n = Number(frame.readBigUInt64LE(0));
  if (n < 6 || n > 1024 || frame.length < 8 * (n + 1)) throw new MessageError("binary frame has a bad offset table");
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push(Number(frame.readBigUInt64LE(8 * (i + 1))));
  offsets.push(frame.length);
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i] < offsets[i - 1] || offsets[i] > frame.length) throw new MessageError("binary frame offsets out of range");
  }
  const part = (i: number) => frame.subarray(offsets[i], offsets[i + 1]).toString("utf8");
  const json = (i: number, what: string) => {
    try {
      return JSON.parse(part(i));
    } catch {
      throw new MessageError(`binary frame: ${what} is not JSON`);
    }
  };
  const buffers: Buffer[] = [];
  for (let i = 5; i < n - 1; i++) buffers.push(frame.subarray(offsets[i], offsets[i + 1]));
  return validateMessage({
    channel: part(0),
    header: json(1, "header"),
    parent_header: json(2, "parent_header"),
    metadata: json(3, "metadata"),
    content: json(4, "content"),
    buffers: buffers.map((b) => b.toString("base64")),
  });
}

/** Encodes a message for `v1.kernel.websocket.jupyter.org`. */
export function encodeV1(msg: JupyterMessage): Buffer {
  const parts = [
    Buffer.from(msg.channel, "utf8"),
    Buffer.from(JSON.stringify(msg.header)),
    Buffer.from(JSON.stringify(msg.parent_header ?? {})),
    Buffer.from(JSON.stringify(msg.metadata ?? {})),
    Buffer.from(JSON.stringify(msg.content ?? {})),
  ];
  const n = parts.length + 1;
  const table = Buffer.alloc(8 * (n + 1));
  table.writeBigUInt64LE(BigInt(n), 0);
  let offset = table.length;
  for (let i = 0; i < parts.length; i++) {
    table.writeBigUInt64LE(BigInt(offset), 8 * (i + 1));
    offset += parts[i].length;
  }
  table.writeBigUInt64LE(BigInt(offset), 8 * n);
  return Buffer.concat([table, ...parts]);
}

/** Encodes for the default JSON framing. */
export function encodeJson(msg: JupyterMessage): string {
  return JSON.stringify({ ...msg, buffers: msg.buffers ?? [] });
}

export function isChannel(c: string): c is Channel {
  return c === "shell" || c === "control" || c === "iopub" || c === "stdin";
}
