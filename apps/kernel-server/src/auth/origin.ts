import { isIP } from "node:net";

/** Is this listen address loopback-only? ("0.0.0.0", "::" and every other address are not.) */
export function isLoopbackAddress(ip: string): boolean {
  const v4 = ip.toLowerCase().replace(/^::ffff:/, "");
  return ip === "::1" || ip.toLowerCase() === "localhost" || (isIP(v4) === 4 && v4.startsWith("127."));
}

function hostnameOf(hostHeader: string): string {
  // "[::1]:8888" -> "::1", "localhost:8888" -> "localhost"
  if (hostHeader.startsWith("[")) return hostHeader.slice(1, hostHeader.indexOf("]"));
  const colon = hostHeader.lastIndexOf(":");
  return (colon >= 0 ? hostHeader.slice(0, colon) : hostHeader).toLowerCase();
}

/**
 * DNS-rebinding guard, as Jupyter's `allow_remote_access=False`: a server bound to
 * loopback answers only requests whose Host is a loopback name or an IP literal, so a
 * page on evil.example that rebinds its name to 127.0.0.1 is refused.
 */
export function hostAllowed(hostHeader: string | undefined, listenIp: string, allowedHosts: Set<string>): boolean {
  if (!isLoopbackAddress(listenIp)) return true;
  if (!hostHeader) return false;
  const host = hostnameOf(hostHeader);
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) !== 0) return true;
  return allowedHosts.has(host);
}

/**
 * Cross-origin guard for WebSockets and cookie-authenticated writes: the Origin (when a
 * browser sends one) must be this server's own origin or one allowed explicitly.
 */
export function originAllowed(
  origin: string | undefined,
  hostHeader: string | undefined,
  secure: boolean,
  allowOrigins: Set<string>,
): boolean {
  if (origin === undefined) return true; // not a browser (curl, Jupyter clients in Node)
  if (allowOrigins.has("*") || allowOrigins.has(origin)) return true;
  if (!hostHeader) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const scheme = secure ? "https:" : "http:";
  return parsed.protocol === scheme && parsed.host.toLowerCase() === hostHeader.toLowerCase();
}
