import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import { CLIENT_MESSAGE_CHANNELS, MessageError, makeMessage, makeReply, parseMessage, type JupyterMessage } from "@tessera/protocol";
import { keepAlive } from "../heartbeat.js";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../json-depth.js";
import type { KernelClient } from "./kernel-client.js";
import type { WorkspaceOf } from "../users/workspace.js";
import { V1_PROTOCOL, decodeV1, encodeJson, encodeV1 } from "./wire.js";

/** Beyond this many bytes queued to a slow socket, stream output to it is dropped (with a notice). */
const SLOW_CLIENT_BYTES = 8 * 1024 * 1024;
/** Beyond this, the socket is closed: the client is not reading at all. */
const DEAD_CLIENT_BYTES = 128 * 1024 * 1024;

/** Messages kept from a closing socket for its replay: no more than the replay buffer holds. */
const MAX_UNSENT_MESSAGES = 10_000;
const MAX_UNSENT_BYTES = 32 * 1024 * 1024;

/** One WebSocket on `/api/kernels/{id}/channels`. */
class SocketClient implements KernelClient {
  private droppedStreams = 0;
  private droppedParent: JupyterMessage["parent_header"] = {};
  /**
   * What came while the socket was closing. The kernel holds a client's messages for replay
   * from its detach on, which waits for the socket's close event: a cut tunnel's socket is
   * closing for a moment first, and what deliver() dropped then was lost to the reconnect.
   * detach() gets these, so they are replayed with the rest (bounded like the replay buffer).
   */
  readonly unsent: JupyterMessage[] = [];
  private unsentBytes = 0;

  constructor(
    readonly sessionId: string,
    private readonly ws: WebSocket,
    private readonly binary: boolean,
  ) {}

  deliver(msg: JupyterMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) {
      if (this.ws.readyState === this.ws.CLOSING && this.unsent.length < MAX_UNSENT_MESSAGES && this.unsentBytes < MAX_UNSENT_BYTES) {
        this.unsent.push(msg);
        this.unsentBytes += JSON.stringify(msg).length;
      }
      return;
    }
    const queued = this.ws.bufferedAmount;
    if (queued > DEAD_CLIENT_BYTES) {
      this.ws.close(1008, "client too slow: output backlog too large");
      return;
    }
    if (msg.header.msg_type === "stream" && queued > SLOW_CLIENT_BYTES) {
      this.droppedStreams++;
      this.droppedParent = msg.parent_header;
      return;
    }
    if (this.droppedStreams > 0 && queued < SLOW_CLIENT_BYTES / 2) {
      const n = this.droppedStreams;
      this.droppedStreams = 0;
      this.send(
        makeMessage("iopub", "stream", { name: "stderr", text: `\n[output truncated: ${n} stream messages dropped because this client could not keep up]\n` }, {
          session: msg.header.session,
          parent: this.droppedParent as JupyterMessage["header"],
        }),
      );
    }
    this.send(msg);
  }

  private send(msg: JupyterMessage): void {
    this.ws.send(this.binary ? encodeV1(msg) : encodeJson(msg));
  }

  /** A protocol error on a frame we could not even read as a request: an iopub `error`. */
  sendProblem(message: string, parent?: JupyterMessage): void {
    const content = { ename: "InvalidMessage", evalue: message, traceback: [`InvalidMessage: ${message}`] };
    if (parent && parent.header.msg_type.endsWith("_request") && parent.channel !== "iopub") {
      this.send(makeReply(parent, { status: "error", ...content }));
    } else {
      this.send(makeMessage("iopub", "error", content, { session: "server", parent: parent ?? null }));
    }
  }
}

/** WebSocket `/api/kernels/:id/channels`, with JSON framing or the v1 binary subprotocol. */
export function channelRoutes(app: FastifyInstance, opts: { workspaceOf: WorkspaceOf }): void {
  app.get(
    "/api/kernels/:id/channels",
    {
      websocket: true,
      preValidation: async (req, reply) => {
        if (!opts.workspaceOf(req).kernels.has((req.params as { id: string }).id)) {
          return reply.code(404).send({ message: "Kernel does not exist", reason: null });
        }
      },
    },
    (socket, req) => {
      const id = (req.params as { id: string }).id;
      // The owner's kernels only: checked before the upgrade, and here again.
      const kernels = opts.workspaceOf(req).kernels;
      const kernel = kernels.get(id);
      const query = req.query as Record<string, string | undefined>;
      const sessionId = query.session_id || `anon-${Math.random().toString(16).slice(2)}`;
      const binary = socket.protocol === V1_PROTOCOL;
      const client = new SocketClient(sessionId, socket, binary);
      kernel.attach(client);
      socket.on("message", (data: Buffer, isBinary: boolean) => {
        let msg: JupyterMessage;
        try {
          msg = isBinary || binary ? decodeV1(Buffer.isBuffer(data) ? data : Buffer.from(data)) : parseMessage(data.toString("utf8"));
        } catch (err) {
          client.sendProblem(err instanceof MessageError ? err.message : `unreadable frame: ${(err as Error).message}`);
          return;
        }
        // Own keys only: a msg_type such as "constructor" or "__proto__" found Object.prototype's
        // members here, and `.includes` on them threw out of this handler and crashed the server.
        const allowed = Object.hasOwn(CLIENT_MESSAGE_CHANNELS, msg.header.msg_type) ? CLIENT_MESSAGE_CHANNELS[msg.header.msg_type] : undefined;
        if (!allowed) {
          client.sendProblem(`unknown msg_type ${JSON.stringify(msg.header.msg_type)}`, msg);
          return;
        }
        if (!allowed.includes(msg.channel)) {
          client.sendProblem(`${msg.header.msg_type} cannot be sent on the ${msg.channel} channel (use ${allowed.join(" or ")})`, msg);
          return;
        }
        // Deeper, the kernel's pipe could not serialize it: the client was told the kernel "is not
        // running", and a shutdown_request had already marked the kernel as shutting down.
        if (nestedDeeperThan(msg)) {
          client.sendProblem(`message nested more than ${MAX_JSON_DEPTH} levels deep`, msg);
          return;
        }
        try {
          kernels.get(id).send(msg, client);
        } catch (err) {
          client.sendProblem((err as Error).message, msg);
        }
      });
      const onRemoved = (removed: string) => {
        if (removed === id) socket.close(1000, "kernel shut down");
      };
      kernels.on("removed", onRemoved);
      keepAlive(socket, 30_000);
      socket.on("close", () => {
        kernels.off("removed", onRemoved);
        if (kernels.has(id)) kernels.get(id).detach(client, client.unsent);
      });
      socket.on("error", () => {});
    },
  );
}
