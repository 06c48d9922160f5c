/** A bad flag, environment variable or config file: the CLI prints it and exits with status 2. */
export class ConfigError extends Error {}
