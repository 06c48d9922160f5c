export { buildApp, type App } from "./app.js";
export { startServer, type RunningServer } from "./server.js";
export { parseConfig, type ServerConfig } from "./config.js";
