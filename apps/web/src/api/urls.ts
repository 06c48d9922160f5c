/**
 * Every URL the page builds starts from the server's base URL, which the server writes
 * into index.html as `<meta name="tessera-base-url" content="/">`.
 */

/** The base URL path, always with leading and trailing slashes (default "/"). */
export function baseUrl(): string {
  const meta = typeof document === "undefined" ? null : document.querySelector('meta[name="tessera-base-url"]');
  let base = meta?.getAttribute("content") || "/";
  if (!base.startsWith("/")) base = `/${base}`;
  if (!base.endsWith("/")) base = `${base}/`;
  return base;
}

/** A server path ("dir/a b.ipynb") as URL path segments ("dir/a%20b.ipynb"). */
export function encodePath(path: string): string {
  return path.split("/").filter(Boolean).map(encodeURIComponent).join("/");
}

export function apiUrl(route: string): string {
  return `${baseUrl()}${route.replace(/^\//, "")}`;
}

export function treeUrl(dir: string): string {
  const p = encodePath(dir);
  return p ? `${baseUrl()}tree/${p}` : baseUrl();
}

export function notebookUrl(path: string): string {
  return `${baseUrl()}notebooks/${encodePath(path)}`;
}

/** A file's raw bytes, served sandboxed (its own scripts cannot reach the page). */
export function fileUrl(path: string): string {
  return `${baseUrl()}files/${encodePath(path)}`;
}

/** The teacher page (workshop mode): every user's kernels, and copying notebooks to students. */
export function adminUrl(): string {
  return `${baseUrl()}admin`;
}

/** Logging out is a plain GET: the server clears the cookies and redirects to the login page. */
export function logoutUrl(): string {
  return `${baseUrl()}logout`;
}

export function documentSocketUrl(path: string): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}${baseUrl()}api/tessera/documents?path=${encodeURIComponent(path)}`;
}

export type Route =
  { kind: "tree"; path: string } | { kind: "notebook"; path: string } | { kind: "admin" } | { kind: "missing"; path: string };

/** What the current location shows: `/`, `/tree/<dir>`, `/notebooks/<path>.ipynb` or `/admin`. */
export function parseRoute(pathname: string, base = baseUrl()): Route {
  const rel = pathname.startsWith(base) ? pathname.slice(base.length) : pathname.replace(/^\//, "");
  const decode = (s: string) =>
    s
      .split("/")
      .filter(Boolean)
      .map((seg) => {
        try {
          return decodeURIComponent(seg);
        } catch {
          return seg;
        }
      })
      .join("/");
  if (rel === "" || rel === "tree" || rel === "tree/") return { kind: "tree", path: "" };
  if (rel.startsWith("tree/")) return { kind: "tree", path: decode(rel.slice(5)) };
  if (rel.startsWith("notebooks/")) return { kind: "notebook", path: decode(rel.slice(10)) };
  if (rel === "admin" || rel === "admin/") return { kind: "admin" };
  return { kind: "missing", path: decode(rel) };
}

/** The folder part of a path ("a/b/c.ipynb" → "a/b"). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
