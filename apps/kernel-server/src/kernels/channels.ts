import type { FastifyInstance } from "fastify";
import { CLIENT_MESSAGE_CHANNELS, MessageError, parseMessage, type JupyterMessage } from "@tessera/protocol";
import { keepAlive } from "../http/heartbeat.js";
import { HttpError } from "../http/http-error.js";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../http/json-depth.js";
import type { WorkspaceOf } from "../users/workspace.js";
import { SocketClient } from "./socket-client.js";
import { V1_PROTOCOL, decodeV1 } from "./wire.js";

/** WebSocket `/api/kernels/:id/channels`, with JSON framing or the v1 binary subprotocol. */
export function channelRoutes(app: FastifyInstance, opts: { workspaceOf: WorkspaceOf }): void {
  app.get(
    "/api/kernels/:id/channels",
    {
      websocket: true,
      preValidation: async (req) => {
        if (!opts.workspaceOf(req).kernels.has((req.params as { id: string }).id)) throw new HttpError(404, "Kernel does not exist");
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
        // Own keys only: a msg_type such as "constructor" or "__proto__" is unknown, not one of
        // Object.prototype's members.
        const allowed = Object.hasOwn(CLIENT_MESSAGE_CHANNELS, msg.header.msg_type)
          ? CLIENT_MESSAGE_CHANNELS[msg.header.msg_type]
          : undefined;
        if (!allowed) {
          client.sendProblem(`unknown msg_type ${JSON.stringify(msg.header.msg_type)}`, msg);
          return;
        }
        if (!allowed.includes(msg.channel)) {
          client.sendProblem(`${msg.header.msg_type} cannot be sent on the ${msg.channel} channel (use ${allowed.join(" or ")})`, msg);
          return;
        }
        // A message reaches the kernel through its pipe as JSON: one nested past MAX_JSON_DEPTH is
        // refused here, before it is sent or changes the kernel's state (a shutdown_request).
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
        if (kernels.has(id)) kernels.get(id).detach(client, client.unsentMessages());
      });
      socket.on("error", () => {});
    },
  );
}
