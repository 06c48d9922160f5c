/** A small reader of the Prometheus text exposition format, for checking `/metrics`. */

export interface PromSeries {
  labels: Record<string, string>;
  value: number;
}

const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_m, c: string) => (c === "n" ? "\n" : c));

/** name → every series of that name. Comments (# HELP, # TYPE) are skipped. */
export function parseExposition(text: string): Map<string, PromSeries[]> {
  const out = new Map<string, PromSeries[]>();
  for (const line of text.split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`unreadable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = unescape(l[2]);
    const value = m[3] === "+Inf" ? Infinity : m[3] === "-Inf" ? -Infinity : Number(m[3]);
    if (!out.has(m[1])) out.set(m[1], []);
    out.get(m[1])!.push({ labels, value });
  }
  return out;
}

/** A series' identity: its labels in a stable order. */
export const seriesKey = (labels: Record<string, string>) =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );

/** name's series as a labels → value map. */
export function seriesOf(m: Map<string, PromSeries[]>, name: string): Map<string, number> {
  return new Map((m.get(name) ?? []).map((s) => [seriesKey(s.labels), s.value]));
}
