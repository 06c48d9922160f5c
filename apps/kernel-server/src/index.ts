export { buildApp, type App, type AppOptions } from "./app.js";
export { startServer, type RunningServer } from "./server.js";
export { parseConfig, type ServerConfig } from "./cli/config.js";
