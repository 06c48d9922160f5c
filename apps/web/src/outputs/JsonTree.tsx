/** application/json as a collapsible tree on <details> (keyboard and screen-reader ready). */
import { useState } from "react";
import type { RendererProps } from "./renderers.js";
import "./JsonTree.css";

const PAGE = 100;

function preview(value: unknown): string {
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    return `{${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", …" : ""}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

function Leaf({ value }: { value: unknown }) {
  const type = value === null ? "null" : typeof value;
  return <span className={`json-${type}`}>{JSON.stringify(value) ?? String(value)}</span>;
}

function Node({ name, value, depth }: { name: string | null; value: unknown; depth: number }) {
  const [limit, setLimit] = useState(PAGE);
  const label = name === null ? null : <span className="json-key">{name}: </span>;
  if (value === null || typeof value !== "object") {
    return (
      <div className="json-row">
        {label}
        <Leaf value={value} />
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  return (
    <details className="json-node" open={depth < 1}>
      <summary>
        {label}
        <span className="json-preview">{preview(value)}</span>
      </summary>
      <div className="json-children">
        {entries.slice(0, limit).map(([k, v]) => (
          <Node key={k} name={k} value={v} depth={depth + 1} />
        ))}
        {entries.length > limit && (
          <button type="button" className="link-btn" onClick={() => setLimit(limit + PAGE * 10)}>
            … {entries.length - limit} more
          </button>
        )}
      </div>
    </details>
  );
}

export function JsonTree({ value }: { value: unknown }) {
  return (
    <div className="json-tree">
      <Node name={null} value={value} depth={0} />
    </div>
  );
}

/** The application/json renderer: a value sent as JSON text is parsed first (a string that is not JSON shows as that string). */
export function JsonOutput({ value }: RendererProps) {
  return <JsonTree value={typeof value === "string" ? safeParse(value) : value} />;
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
