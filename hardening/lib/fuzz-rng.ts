/**
 * The fuzzer's randomness: one seeded generator (so a failing run replays with
 * TESSERA_FUZZ_SEED) and the hostile values every surface draws from.
 */

/** The seed of this run: TESSERA_FUZZ_SEED to replay one, else a fresh one. */
export function fuzzSeed(): number {
  const given = process.env.TESSERA_FUZZ_SEED;
  if (given !== undefined && given !== "") {
    const n = Number(given);
    if (!Number.isInteger(n)) throw new Error(`TESSERA_FUZZ_SEED must be an integer, got ${JSON.stringify(given)}`);
    return n >>> 0;
  }
  return (Math.random() * 2 ** 32) >>> 0;
}

/** mulberry32: small, fast, and good enough to pick test inputs; never Math.random (not replayable). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** A generator of its own for one surface: each surface's sequence stays the same however they interleave. */
  fork(salt: number): Rng {
    return new Rng(Math.imul(this.s ^ salt, 0x9e3779b1) ^ (salt << 7));
  }

  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  /** A short identifier-like string. */
  word(): string {
    const letters = "abcdefghijklmnopqrstuvwxyz_";
    return Array.from({ length: 1 + this.int(10) }, () => this.pick([...letters])).join("");
  }
}

/** Object keys that reach Object.prototype when a server looks a name up in a plain object. */
export const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];

/** Strings a server must treat as data: control characters, lone surrogates, escapes, prototype keys. */
const WEIRD_STRINGS = [
  "",
  " ",
  "\0",
  "\u0000abc",
  "\ud800",
  "\udfff\ud800",
  "\u202e",
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e309",
  "%00",
  "%",
  "../../etc/passwd",
  "\r\nX-Injected: 1",
  "<script>alert(1)</script>",
  "😀".repeat(3),
  ...PROTO_KEYS,
];

/** A hostile string; sometimes long (up to `maxLong` characters). */
export function weirdString(rng: Rng, maxLong = 64 * 1024): string {
  const r = rng.next();
  if (r < 0.5) return rng.pick(WEIRD_STRINGS);
  if (r < 0.8) return rng.word();
  return rng.pick(["x", "a\n", "\u00e9", "😀"]).repeat(1 + rng.int(maxLong));
}

/** Any JSON value, of any type, nested a little (wrong types for every field are drawn from here). */
export function randomJson(rng: Rng, depth = 3): unknown {
  const kind = rng.int(depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 53 + 2, -0, 1e308, rng.int(1000)]);
    case 3:
    case 4:
      return weirdString(rng, 256);
    case 5:
      return rng.word();
    case 6:
    case 7:
      return Object.fromEntries(
        Array.from({ length: rng.int(4) }, () => [rng.chance(0.2) ? rng.pick(PROTO_KEYS) : rng.word(), randomJson(rng, depth - 1)]),
      );
    default:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth - 1));
  }
}

/** A JSON value of a different type than `value` (for "wrong type" mutations). */
export function wrongType(rng: Rng, value: unknown): unknown {
  const type = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  for (;;) {
    const v = randomJson(rng, 2);
    if (type(v) !== type(value)) return v;
  }
}

/** `levels` nested arrays, as JSON text; closed or not (both must be refused without a stack overflow). */
export function deepJson(levels: number, closed = true): string {
  return "[".repeat(levels) + (closed ? "]".repeat(levels) : "");
}

/** A placeholder replaced, after JSON.stringify, by deeply nested JSON (which stringify itself cannot produce). */
export const DEEP = "\u0001DEEP\u0001";

/** JSON text with every DEEP string swapped for a 100k-level nested array. */
export function expandDeep(text: string, levels = 100_000): string {
  const marker = JSON.stringify(DEEP);
  return text.includes(marker) ? text.split(marker).join(deepJson(levels)) : text;
}

/** JSON text of `value`, DEEP placeholders expanded. */
export function toJsonText(value: unknown): string {
  return expandDeep(JSON.stringify(value) ?? "null");
}

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates, 0xFF. */
export function invalidUtf8(rng: Rng): Buffer {
  const bad = [[0xff], [0xc3, 0x28], [0x80], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf]];
  return Buffer.concat([Buffer.from('{"header":"'), Buffer.from(rng.pick(bad)), Buffer.from('"}')]);
}

/** A short, printable description of a frame or body, for failure messages. */
export function describe(data: string | Buffer, max = 300): string {
  const text = typeof data === "string" ? data : `<${data.length} bytes> ${data.subarray(0, max).toString("hex")}`;
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
