import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashes as `scrypt:N=16384,r=8,p=1:<salt base64>:<hash base64>`: the parameters
 * travel with the hash, so stronger ones later still verify old hashes.
 */

const DEFAULTS = { N: 16384, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const FORMAT = /^scrypt:N=(\d+),r=(\d+),p=(\d+):([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

interface ParsedHash {
  params: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

/** The stored form, or null when it is not a hash this server can check (or one costing too much to). */
export function parsePasswordHash(stored: string): ParsedHash | null {
  const m = FORMAT.exec(stored);
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(m[4], "base64");
  const hash = Buffer.from(m[5], "base64");
  if (salt.length < 8 || hash.length < 16) return null;
  return { params: { N, r, p }, salt, hash };
}

function derive(password: string, salt: Buffer, keyLength: number, params: ParsedHash["params"]): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * Hashes a password with a fresh random salt.
 * @example await hashPassword("correct horse") // "scrypt:N=16384,r=8,p=1:…:…"
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, DEFAULTS);
  return `scrypt:N=${DEFAULTS.N},r=${DEFAULTS.r},p=${DEFAULTS.p}:${salt.toString("base64")}:${key.toString("base64")}`;
}

/** Does `password` match the stored hash? Compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.hash.length, parsed.params);
  return timingSafeEqual(key, parsed.hash);
}
