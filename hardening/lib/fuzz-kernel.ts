/**
 * Frames for `/api/kernels/{id}/channels`: mutations of valid Jupyter requests, garbage,
 * and v1 binary frames (good and with broken offset tables), each with the verdict the
 * Jupyter messaging spec gives it. The verdict is the oracle: a frame the spec calls
 * malformed must get exactly one `InvalidMessage` answer from the server (and so must a
 * well-formed one nested deeper than the server carries).
 */
import { CHANNELS, CLIENT_MESSAGE_CHANNELS } from "@tessera/protocol";
import { DEEP, PROTO_KEYS, type Rng, expandDeep, randomJson, toJsonText, weirdString, wrongType } from "./fuzz-rng.js";

export interface KernelFrame {
  data: string | Buffer;
  binary: boolean;
  /** Why the spec (or the server's nesting limit) refuses it, or null when it is a well-formed client message. */
  malformed: string | null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Harmless code: a result, an error, a syntax error, nothing. Never anything that could run long. */
const CODES = [
  "1 + 1",
  "'fuzz'.length",
  "undefined",
  "throw new Error('fuzz')",
  "}{",
  "let x: number = 'a'; x",
  "",
  "await 0",
  "[1, 2, 3].map((n) => n * 2)",
];

/** Requests a client may send, with plausible content. shutdown_request is left out: it would end the run's kernel. */
function template(rng: Rng): { type: string; channel: string; content: Json } {
  const code = rng.chance(0.2) ? rng.word() : rng.pick(CODES);
  const all: Array<[string, string, Json]> = [
    ["kernel_info_request", rng.pick(["shell", "control"]), {}],
    [
      "execute_request",
      "shell",
      { code, silent: rng.chance(0.2), store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: rng.chance(0.5) },
    ],
    ["is_complete_request", "shell", { code }],
    ["complete_request", "shell", { code, cursor_pos: code.length }],
    ["inspect_request", "shell", { code, cursor_pos: 0, detail_level: 0 }],
    ["history_request", "shell", { output: false, raw: true, hist_access_type: "tail", n: 3 }],
    ["comm_info_request", "shell", {}],
    ["comm_open", "shell", { comm_id: rng.word(), target_name: rng.word(), data: {} }],
    ["comm_msg", "shell", { comm_id: rng.word(), data: { x: 1 } }],
    ["comm_close", "shell", { comm_id: rng.word(), data: {} }],
    ["interrupt_request", "control", {}],
    ["debug_request", "control", { seq: 1, type: "request", command: "initialize" }],
    ["input_reply", "stdin", { value: rng.word() }],
  ];
  // Language-service requests start TypeScript's language service in the kernel (seconds of CPU on a small machine): rarer.
  let [type, channel, content] = rng.pick(all);
  if ((type === "complete_request" || type === "inspect_request") && rng.chance(0.8)) [type, channel, content] = all[0];
  return { type, channel, content };
}

let serial = 0;

/** A valid client message as the spec has it. */
function validMessage(rng: Rng): Json {
  const { type, channel, content } = template(rng);
  return {
    header: {
      msg_id: `fz-${++serial}-${rng.word()}`,
      msg_type: type,
      session: "fuzz",
      username: "fuzz",
      date: new Date().toISOString(),
      version: "5.3",
    },
    parent_header: {},
    metadata: {},
    content,
    channel,
    buffers: [],
  };
}

const TOP = ["header", "parent_header", "metadata", "content", "channel", "buffers"];
const HEADER = ["msg_id", "msg_type", "session", "username", "date", "version"];

/** One random change that a sloppy or hostile client might make. */
function mutateOnce(rng: Rng, m: Json, maxHuge: number): void {
  const header = isObject(m.header) ? m.header : null;
  const content = isObject(m.content) ? m.content : null;
  switch (rng.int(11)) {
    case 0:
      delete m[rng.pick(TOP)];
      return;
    case 1:
      if (header) delete header[rng.pick(HEADER)];
      return;
    case 2: {
      // Renamed: the field is missing under its real name.
      const key = rng.pick(TOP);
      m[`${key}${rng.pick(["s", "_", "X"])}`] = m[key];
      delete m[key];
      return;
    }
    case 3: {
      const key = rng.pick(TOP);
      m[key] = wrongType(rng, m[key]);
      return;
    }
    case 4:
      if (header) header[rng.pick(HEADER)] = wrongType(rng, header.msg_id);
      return;
    case 5: {
      // A huge string where a short one belongs (never more than maxHuge, so the frame stays under 16 MiB).
      const huge = rng.pick(["x", "\u00e9", "😀"]).repeat(1 + rng.int(maxHuge / 4));
      if (header && rng.chance(0.5)) header[rng.pick(["msg_id", "session", "username", "version"])] = huge;
      else if (content) content[rng.pick(["code", "comm_id", "value", "x"])] = huge;
      return;
    }
    case 6:
      // Not a message type a client may send, sometimes a name that is a property of every object.
      if (header)
        header.msg_type = rng.pick([
          ...PROTO_KEYS,
          `${rng.word()}_request`,
          rng.word(),
          "execute_reply",
          "status",
          "stream",
          "shutdown_reply",
        ]);
      return;
    case 7:
      m.channel = rng.chance(0.7) ? rng.pick([...CHANNELS, "hb", "SHELL"]) : randomJson(rng, 1);
      return;
    case 8:
      m.parent_header = rng.chance(0.5) ? { msg_id: weirdString(rng, 128), msg_type: randomJson(rng, 1) } : randomJson(rng, 2);
      return;
    case 9:
      m.buffers = rng.chance(0.5)
        ? Array.from({ length: rng.int(4) }, () => (rng.chance(0.5) ? rng.bytes(rng.int(64)).toString("base64") : randomJson(rng, 1)))
        : randomJson(rng, 1);
      return;
    default:
      if (content)
        content[rng.pick(["code", "cursor_pos", "silent", "user_expressions", "comm_id", "data", "value", "n"])] = randomJson(rng, 2);
  }
}

/** Why the spec refuses `m` as a client message, or null. Null parent_header/metadata/content mean empty, as Jupyter Server reads them. */
export function specVerdict(m: unknown): string | null {
  if (!isObject(m)) return "not an object";
  const h = m.header;
  if (!isObject(h)) return "header is not an object";
  for (const k of ["msg_id", "msg_type", "session"])
    if (typeof h[k] !== "string" || h[k] === "") return `header.${k} is not a non-empty string`;
  for (const k of ["username", "date", "version"]) if (h[k] !== undefined && typeof h[k] !== "string") return `header.${k} is not a string`;
  if (typeof m.channel !== "string" || !(CHANNELS as readonly string[]).includes(m.channel)) return "no such channel";
  for (const k of ["parent_header", "metadata", "content"])
    if (m[k] !== undefined && m[k] !== null && !isObject(m[k])) return `${k} is not an object`;
  if (m.buffers !== undefined && !Array.isArray(m.buffers)) return "buffers is not a list";
  const type = h.msg_type as string;
  if (!Object.hasOwn(CLIENT_MESSAGE_CHANNELS, type)) return "not a client message type";
  if (!CLIENT_MESSAGE_CHANNELS[type].includes(m.channel as never)) return "wrong channel for its type";
  return null;
}

/** A mutated (or intact) message value, and whether it carries the DEEP placeholder. */
function messageValue(rng: Rng, maxHuge: number): { value: Json; deep: boolean } {
  const m = validMessage(rng);
  if (rng.chance(0.06)) {
    // 100k levels inside an object field: well-formed, but beyond what the kernel's pipe can carry.
    const field = rng.pick(["content", "metadata", "parent_header"]);
    (m[field] as Json).deep = DEEP;
    return { value: m, deep: true };
  }
  if (rng.chance(0.15)) return { value: m, deep: false };
  for (let n = 1 + rng.int(3); n > 0; n--) mutateOnce(rng, m, maxHuge);
  return { value: m, deep: false };
}

/** A frame for the default JSON framing. */
export function jsonFrame(rng: Rng, maxHuge: number): KernelFrame {
  const r = rng.next();
  if (r < 0.06)
    return {
      data: rng
        .bytes(1 + rng.int(512))
        .toString("latin1")
        .replace(/[^\x20-\x7e]/g, "?"),
      binary: false,
      malformed: "not JSON",
    };
  if (r < 0.1) return { data: toJsonText(validMessage(rng)).slice(0, -1 - rng.int(20)), binary: false, malformed: "truncated JSON" };
  if (r < 0.14) {
    const value = randomJson(rng, 3);
    return { data: toJsonText(value), binary: false, malformed: specVerdict(value) };
  }
  if (r < 0.16)
    return { data: rng.chance(0.5) ? toJsonText(DEEP) : "[".repeat(100_000), binary: false, malformed: "100k levels of nesting" };
  if (r < 0.2) return { ...v1Frame(rng, maxHuge), binary: true };
  const { value, deep } = messageValue(rng, maxHuge);
  return { data: toJsonText(value), binary: false, malformed: specVerdict(value) ?? (deep ? "nested 100k levels" : null) };
}

/** The v1 subprotocol's layout: u64 LE count, u64 LE offsets (the last one the end), then the parts. */
export function encodeV1Parts(parts: Buffer[]): Buffer {
  const n = parts.length + 1;
  const table = Buffer.alloc(8 * (n + 1));
  table.writeBigUInt64LE(BigInt(n), 0);
  let offset = table.length;
  parts.forEach((p, i) => {
    table.writeBigUInt64LE(BigInt(offset), 8 * (i + 1));
    offset += p.length;
  });
  table.writeBigUInt64LE(BigInt(offset), 8 * n);
  return Buffer.concat([table, ...parts]);
}

/** An offset table that cannot be read, built so by construction (never valid by accident). */
function badOffsets(rng: Rng): Buffer {
  const body = rng.bytes(rng.int(200));
  const u64 = (values: Array<number | bigint>) => {
    const b = Buffer.alloc(8 * values.length);
    values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 8 * i));
    return b;
  };
  switch (rng.int(6)) {
    case 0:
      return rng.bytes(rng.int(8)); // shorter than the count itself
    case 1:
      return Buffer.concat([u64([rng.int(6)]), body]); // fewer than 6 offsets
    case 2:
      return Buffer.concat([u64([1025 + rng.int(2 ** 20)]), body]); // too many
    case 3:
      return Buffer.concat([u64([2n ** 64n - 1n]), body]); // absurd count
    case 4: {
      const head = u64([7, 64, 70, 60, 80, 90, 100, 110]); // an offset going backwards
      return Buffer.concat([head, Buffer.alloc(128)]);
    }
    default: {
      const n = 6 + rng.int(4);
      const offsets = Array.from({ length: n }, (_, i) => 8 * (n + 1) + i);
      offsets[1 + rng.int(n - 1)] = 10_000_000 + rng.int(1000); // past the end
      return Buffer.concat([u64([n, ...offsets]), Buffer.alloc(16)]);
    }
  }
}

/** A v1 binary frame: a (mutated) message in the v1 layout, a broken table, or random bytes. */
export function v1Frame(rng: Rng, maxHuge: number): KernelFrame {
  const r = rng.next();
  if (r < 0.15) return { data: badOffsets(rng), binary: true, malformed: "bad offset table" };
  if (r < 0.2) {
    const b = rng.bytes(8 + rng.int(300));
    b[7] = 1 + rng.int(255); // a count of at least 2^56: never a readable table
    return { data: b, binary: true, malformed: "random bytes" };
  }
  const { value, deep } = messageValue(rng, maxHuge);
  // What the server will read: the channel as text, four JSON parts, then buffers. The
  // oracle reads the parts before DEEP is expanded (the placeholder stands for the nesting).
  const raw = (v: unknown) => (v === undefined ? "" : JSON.stringify(v));
  const partTexts = [
    typeof value.channel === "string" ? value.channel : raw(value.channel),
    raw(value.header),
    raw(value.parent_header),
    raw(value.metadata),
    raw(value.content),
  ];
  const buffers = Array.isArray(value.buffers) ? value.buffers.map((b) => Buffer.from(typeof b === "string" ? b : toJsonText(b))) : [];
  const data = encodeV1Parts([...partTexts.map((t, i) => Buffer.from(i === 0 ? t : expandDeep(t))), ...buffers]);
  let verdict: string | null;
  try {
    const [channel, header, parent_header, metadata, content] = partTexts.map((t, i) => (i === 0 ? t : (JSON.parse(t) as unknown)));
    verdict = specVerdict({ channel, header, parent_header, metadata, content, buffers: [] });
  } catch {
    verdict = "a part is not JSON";
  }
  return { data, binary: true, malformed: verdict ?? (deep ? "nested 100k levels" : null) };
}
