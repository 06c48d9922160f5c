import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { ConfigError } from "../cli/config-error.js";

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

async function readPem(flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (err as Error).message;
    throw new ConfigError(`cannot read ${flag} ${file}: ${why}`);
  }
}

/**
 * Reads `--certfile`/`--keyfile` and checks they make a TLS context (PEM, and the key is
 * the certificate's), so a mistake is named at start rather than failing each handshake.
 */
export async function loadTls(certfile: string, keyfile: string): Promise<TlsFiles> {
  const cert = await readPem("--certfile", certfile);
  const key = await readPem("--keyfile", keyfile);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    const message = (err as Error).message;
    if (/key values mismatch/i.test(message))
      throw new ConfigError(`--keyfile ${keyfile} is not the private key of --certfile ${certfile}`);
    if (/PEM|no start line|bad base64|asn1|decoder/i.test(message)) {
      throw new ConfigError(
        `--certfile ${certfile} and --keyfile ${keyfile} must be a PEM certificate and its PEM private key (${message})`,
      );
    }
    throw new ConfigError(`cannot use --certfile ${certfile} with --keyfile ${keyfile}: ${message}`);
  }
  return { cert, key };
}
