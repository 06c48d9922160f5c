#!/usr/bin/env node
import { ConfigError, USAGE, parseConfig } from "./config.js";
import { startServer } from "./server.js";

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`tessera: ${(err as Error).message}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }
  const server = await startServer(config).catch((err: Error & { code?: string }) => {
    const why = err.code === "EADDRINUSE" ? `port ${config.port} is in use (try --port ${config.port + 1})` : err.message;
    process.stderr.write(`tessera: cannot start: ${why}\n`);
    process.exit(1);
  });
  const tokenPart = config.token ? `?token=${config.token}` : "";
  if (!config.quiet) {
    process.stdout.write(`Tessera is running. Notebook root: ${config.root}\n`);
    process.stdout.write(`Open this URL in a browser (the token in it is your login):\n`);
  }
  process.stdout.write(`    ${server.url}${tokenPart}\n`);
  if (!config.quiet) process.stdout.write(`Press Ctrl+C to stop (kernels are shut down with the server).\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      server.kernels.killAll();
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: shutting down kernels…\n`);
    const hard = setTimeout(() => {
      server.kernels.killAll();
      process.exit(1);
    }, 5000);
    server
      .close()
      .catch(() => server.kernels.killAll())
      .finally(() => {
        clearTimeout(hard);
        process.exit(0);
      });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGHUP", () => stop("SIGHUP"));
  process.on("exit", () => server.kernels.killAll());
}

void main();
