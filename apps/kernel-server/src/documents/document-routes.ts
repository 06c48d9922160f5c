import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import type { ClientDocOp, DocClientMessage, DocServerMessage, PeerIdentity } from "@tessera/protocol";
import { normalizeNotebook } from "../contents/notebook-format.js";
import { keepAlive } from "../http/heartbeat.js";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../http/json-depth.js";
import type { DocView } from "./notebook-document.js";
import type { DocumentManager, OpenDocument } from "./document-manager.js";
import type { WorkspaceOf } from "../users/workspace.js";

/** A page that stops reading gets disconnected; it reconnects and takes a fresh snapshot. */
const MAX_BACKLOG_BYTES = 32 * 1024 * 1024;
const CLIENT_OPS = new Set([
  "insert_cell",
  "delete_cell",
  "move_cell",
  "set_source",
  "set_cell_type",
  "set_cell_metadata",
  "clear_outputs",
  "set_notebook_metadata",
]);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * An op applies only if the notebook can still be saved after it: its cell or metadata is
 * checked against what a save demands (outputs a list, metadata an object, a valid cell id).
 * Fields left out get their defaults, as when a file is read. Returns the op to apply.
 */
function checkClientOp(op: ClientDocOp): ClientDocOp {
  if ((op.op === "set_cell_metadata" || op.op === "set_notebook_metadata") && !isPlainObject(op.metadata))
    throw new Error(`${op.op}: metadata must be an object`);
  if (op.op !== "insert_cell") return op;
  if (!isPlainObject(op.cell)) throw new Error("insert_cell needs a cell object");
  let cell: unknown;
  try {
    [cell] = normalizeNotebook({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [op.cell] }).cells;
  } catch (err) {
    throw new Error(`insert_cell: ${(err as Error).message}`);
  }
  // normalizeNotebook replaces an id nbformat refuses; the page named its cell, so refuse instead.
  if ((cell as { id: unknown }).id !== op.cell.id)
    throw new Error(`insert_cell: cell id ${JSON.stringify(op.cell.id)} is not 1-64 letters, digits, "-" or "_"`);
  return { ...op, cell: cell as typeof op.cell };
}

/** Cursor colours, told apart on light and dark themes. */
const PEER_COLORS = ["#d9480f", "#1971c2", "#2f9e44", "#9c36b5", "#e8590c", "#0c8599", "#c2255c", "#5c7cfa"];

class SocketView implements DocView {
  readonly clientId = randomUUID();
  readonly identity: PeerIdentity;
  constructor(
    private readonly ws: WebSocket,
    userName: string,
  ) {
    this.identity = { name: userName, color: PEER_COLORS[parseInt(this.clientId.slice(0, 6), 16) % PEER_COLORS.length] };
  }
  send(msg: DocServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BACKLOG_BYTES) {
      this.ws.close(4000, "page too slow: reconnect for a fresh snapshot");
      return;
    }
    this.ws.send(JSON.stringify(msg));
  }
}

async function handle(docs: DocumentManager, o: OpenDocument, view: SocketView, msg: DocClientMessage): Promise<void> {
  const requestId = (msg as { requestId?: string }).requestId;
  const ok = (result?: unknown) =>
    requestId && view.send({ type: "reply", requestId, ok: true, ...(result !== undefined ? { result } : {}) });
  switch (msg.type) {
    case "ops": {
      if (!Array.isArray(msg.ops)) throw new Error("ops must be an array");
      for (const op of msg.ops) {
        if (!op || typeof op !== "object" || !CLIENT_OPS.has((op as ClientDocOp).op))
          throw new Error(`op ${JSON.stringify((op as { op?: unknown })?.op)} cannot be sent by a page`);
      }
      o.doc.apply(msg.ops.map(checkClientOp), view.clientId, requestId);
      return;
    }
    case "text":
      if (typeof msg.gen !== "string" || typeof msg.update !== "string") throw new Error("text needs gen and update strings");
      o.doc.typed(view, msg.gen, msg.update);
      return;
    case "awareness":
      if (typeof msg.update !== "string") throw new Error("awareness needs an update string");
      o.doc.cursor(view, msg.update);
      return;
    case "execute":
      if (!Array.isArray(msg.cellIds)) throw new Error("cellIds must be an array");
      if (!o.doc.kernel) await docs.startKernel(o);
      o.doc.execute(msg.cellIds.map(String));
      ok();
      return;
    case "interrupt":
      o.doc.kernel?.interrupt();
      ok();
      return;
    case "restart":
      await docs.restartKernel(o);
      if (msg.runAll) o.doc.execute(o.doc.state.notebook.cells.filter((c) => c.cell_type === "code").map((c) => c.id));
      ok();
      return;
    case "start_kernel":
      await docs.startKernel(o);
      ok();
      return;
    case "save":
      await docs.saveAndCheckpoint(o, msg.force === true);
      ok();
      return;
    case "revert":
      await docs.revert(o, msg.source === "disk" ? "disk" : "checkpoint");
      ok();
      return;
    case "input_reply":
      // A page's answer is a string (what was typed); anything else is refused, never converted.
      if (msg.value !== undefined && typeof msg.value !== "string") throw new Error("input_reply: value must be a string");
      o.doc.answerInput(msg.value ?? "");
      return;
    case "complete":
    case "inspect":
      if (typeof msg.code !== "string" || typeof msg.cursorPos !== "number") throw new Error("code and cursorPos are required");
      if (!o.doc.kernel) throw new Error("no kernel is running");
      o.doc.ask(view, msg.requestId, msg.type === "complete" ? "complete_request" : "inspect_request", {
        code: msg.code,
        cursor_pos: msg.cursorPos,
        ...(msg.type === "inspect" ? { detail_level: 0 } : {}),
      });
      return;
    default:
      throw new Error(`unknown message type ${JSON.stringify((msg as { type?: unknown }).type)}`);
  }
}

/** WebSocket `/api/tessera/documents?path=…`: the live document of one notebook. */
export function documentRoutes(app: FastifyInstance, opts: { workspaceOf: WorkspaceOf }): void {
  app.get("/api/tessera/documents", { websocket: true }, async (socket, req) => {
    const path = String((req.query as Record<string, unknown>).path ?? "");
    // The path is in the user's own home: another user's notebook cannot be named.
    const docs = opts.workspaceOf(req).docs;
    const view = new SocketView(socket, req.user?.name ?? "you");
    const early: string[] = [];
    const buffer = (d: Buffer) => early.push(d.toString("utf8"));
    socket.on("message", buffer);
    let o: OpenDocument;
    try {
      if (!path.endsWith(".ipynb")) throw new Error("path must name a .ipynb notebook");
      o = await docs.get(path);
    } catch (err) {
      socket.send(JSON.stringify({ type: "error", message: `Cannot open ${path}: ${(err as Error).message}` } satisfies DocServerMessage));
      socket.close(4404, "cannot open notebook");
      return;
    }
    o.doc.views.add(view);
    view.send(o.doc.snapshot(view));
    const pending = o.doc.pendingInput();
    if (pending) view.send({ type: "input_request", ...pending });
    const onMessage = (text: string) => {
      let msg: DocClientMessage;
      try {
        msg = JSON.parse(text) as DocClientMessage;
        if (!msg || typeof msg !== "object" || typeof msg.type !== "string") throw new Error("message must be an object with a type");
        // JSON.parse reads any depth; what is applied must serialize in every snapshot and save, so deeper is refused.
        if (nestedDeeperThan(msg)) throw new Error(`nested more than ${MAX_JSON_DEPTH} levels deep`);
      } catch (err) {
        view.send({ type: "error", message: `Malformed message: ${(err as Error).message}` });
        return;
      }
      handle(docs, o, view, msg).catch((err: Error) => {
        const requestId = (msg as { requestId?: string }).requestId;
        view.send(requestId ? { type: "reply", requestId, ok: false, error: err.message } : { type: "error", message: err.message });
      });
    };
    socket.off("message", buffer);
    socket.on("message", (d: Buffer) => onMessage(d.toString("utf8")));
    for (const t of early) onMessage(t);
    // A heartbeat the page can see (browsers hide WebSocket pings) beside the real ping.
    keepAlive(socket, 15_000, () => view.send({ type: "ping" }));
    socket.on("close", () => {
      o.doc.leave(view);
      docs.maybeClose(o);
    });
    socket.on("error", () => {});
  });
}
