import { ServerConnection } from "@jupyterlab/services";
import WebSocket from "ws";
import type { TestServer } from "./test-server.js";

/** Settings for the official Jupyter client, pointed at a test server. */
export function serverSettings(t: TestServer): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: t.base,
    wsUrl: t.ws,
    token: t.token,
    appendToken: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    fetch: globalThis.fetch.bind(globalThis),
    Request: globalThis.Request,
    Headers: globalThis.Headers,
  });
}
