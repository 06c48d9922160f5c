import { buildApp, type App, type AppOptions } from "./app.js";
import type { ServerConfig } from "./cli/config.js";
import { installProcessGroupExitHook } from "./kernels/process-group.js";

export interface RunningServer extends App {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the server and returns where it listens. */
export async function startServer(config: ServerConfig, options: AppOptions = {}): Promise<RunningServer> {
  // However this process ends, no kernel (nor anything a kernel started) outlives it.
  installProcessGroupExitHook();
  const built = await buildApp(config, options);
  await built.app.listen({ host: config.ip, port: config.port });
  const addr = built.app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.port;
  // A wildcard address is no place to browse to: print the loopback one.
  const host =
    config.ip === "0.0.0.0" ? "127.0.0.1" : config.ip === "::" ? "[::1]" : config.ip.includes(":") ? `[${config.ip}]` : config.ip;
  return {
    ...built,
    port,
    url: `${built.secure ? "https" : "http"}://${host}:${port}${built.baseUrl}`,
    close: async () => {
      await built.app.close();
    },
  };
}
