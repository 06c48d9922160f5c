/** Names a listing leaves out (Jupyter's default `hide_globs`). */
export const DEFAULT_HIDE_GLOBS = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*.so", "*.dylib", "*~"];

/** The base names of new untitled entities, as Jupyter names them. */
export const UNTITLED = { notebook: "Untitled", file: "untitled", directory: "Untitled Folder" } as const;

/**
 * The `i`th candidate for a unique name, as Jupyter's `increment_filename`: the counter
 * goes before the first dot ("data-Copy1.tar.gz"), except for notebooks where it goes
 * before ".ipynb" ("a.b-Copy1.ipynb"); candidate 0 is the name itself.
 *
 * @example
 * incrementName("Untitled.ipynb", 2, "");         // "Untitled2.ipynb"
 * incrementName("Untitled Folder", 1, " ");       // "Untitled Folder 1"
 * incrementName("data.tar.gz", 1, "-Copy");       // "data-Copy1.tar.gz"
 */
export function incrementName(filename: string, i: number, insert: string): string {
  if (i === 0) return filename;
  let cut = filename.lastIndexOf(".");
  if (cut < 0 || filename.slice(cut + 1) !== "ipynb") cut = filename.indexOf(".");
  if (cut < 0) cut = filename.length;
  return `${filename.slice(0, cut)}${insert}${i}${filename.slice(cut)}`;
}

/** Turns shell-style globs (`*`, `?`) into one matcher of whole names. */
export function globMatcher(globs: readonly string[]): (name: string) => boolean {
  if (globs.length === 0) return () => false;
  const parts = globs.map((g) =>
    g
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&")))
      .join(""),
  );
  const re = new RegExp(`^(?:${parts.join("|")})$`, "s");
  return (name) => re.test(name);
}

/** A byte count for messages: "52.4 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
