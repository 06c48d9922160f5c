/** A chart's full data as CSV: the x column, then one column per series (empty where it has no point). */
import type { ChartState } from "@tessera/protocol";

const field = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function chartCsv(state: ChartState): string {
  const columns = state.series.map((name) => state.y[name] ?? []);
  const lines = new Array<string>(state.x.length + 1);
  lines[0] = [state.xLabel, ...state.series].map(field).join(",");
  for (let i = 0; i < state.x.length; i++) {
    let line = String(state.x[i]);
    for (const c of columns) {
      const v = c[i];
      line += typeof v === "number" ? `,${v}` : ",";
    }
    lines[i + 1] = line;
  }
  return lines.join("\n") + "\n";
}

/** A file name from a chart title: `loss.csv`. */
export function csvName(title: string): string {
  const base = title
    .trim()
    .replace(/[^\w.-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${base || "chart"}.csv`;
}

/** Saves text as a download (a Blob URL, revoked once the click has been handled). */
export function download(text: string, name: string, type = "text/csv"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
