/** Which renderer an output gets: the richest MIME type its bundle holds (src/outputs/renderers.tsx). */
import assert from "node:assert/strict";
import { register } from "node:module";
import { test } from "node:test";
import * as React from "react";
import { CHART_MIME, type MimeBundle } from "@tessera/protocol";

// Renderers import their CSS, which Vite bundles; here a stylesheet is an empty module.
register(
  "data:text/javascript," +
    encodeURIComponent(
      `export async function load(url, context, next) { return url.endsWith(".css") ? { format: "module", source: "", shortCircuit: true } : next(url, context); }`,
    ),
);
// tsx compiles the page's .tsx with the classic JSX transform, which calls React.createElement.
(globalThis as { React?: unknown }).React = React;
const { RENDERERS, pickRenderer } = await import("../src/outputs/renderers.js");
const { HtmlFrame, HtmlOutput, HTML_SANDBOX } = await import("../src/outputs/HtmlFrame.js");
const { SvgOutput } = await import("../src/outputs/ImageOutput.js");
const { TextOutput } = await import("../src/outputs/TextOutput.js");

const JUPYTER_ORDER = [
  CHART_MIME,
  "text/html",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "image/gif",
  "text/markdown",
  "text/latex",
  "application/json",
  "text/plain",
];

test("a bundle shows its richest type, in Jupyter's display order", () => {
  assert.deepEqual(
    RENDERERS.map((r) => r.mime),
    JUPYTER_ORDER,
  );
  const bundle: MimeBundle = Object.fromEntries(JUPYTER_ORDER.map((mime) => [mime, "x"]));
  for (const expected of JUPYTER_ORDER) {
    const picked = pickRenderer(bundle);
    assert.equal(picked?.mime, expected);
    assert.equal(picked?.component, RENDERERS.find((r) => r.mime === expected)?.component);
    delete bundle[expected];
  }
  assert.equal(pickRenderer(bundle), null);
  assert.equal(pickRenderer({ "text/plain": "<b>x</b>", "text/html": "<b>x</b>" })?.mime, "text/html");
  assert.equal(pickRenderer({ "text/plain": "Figure", "image/png": "iVBORw0KGgo=" })?.mime, "image/png");
  assert.equal(pickRenderer({ "application/json": { a: 1 }, "text/plain": "{ a: 1 }" })?.mime, "application/json");
});

test("unknown types fall back to text/plain, then to any text type, else nothing", () => {
  assert.deepEqual(pickRenderer({ "application/x-widget": { id: 1 }, "text/plain": "Widget" }), {
    mime: "text/plain",
    component: TextOutput,
  });
  assert.deepEqual(pickRenderer({ "application/x-widget": { id: 1 }, "text/csv": "a,b\n1,2" }), {
    mime: "text/csv",
    component: TextOutput,
  });
  assert.equal(pickRenderer({ "application/x-widget": { id: 1 } }), null);
  assert.equal(pickRenderer({}), null);
  assert.equal(pickRenderer({ "text/html": undefined, "text/plain": "x" })?.mime, "text/plain", "a type with no value is not there");
});

test("a live chart shows as the chart, not its static fallback", () => {
  const chart = { title: "loss", series: [], x: [], done: false };
  assert.equal(pickRenderer({ [CHART_MIME]: chart, "image/svg+xml": "<svg/>", "text/plain": "chart: loss" })?.mime, CHART_MIME);
});

test("HTML goes to the sandboxed frame, SVG to an <img>: neither runs in the page", () => {
  const html = pickRenderer({ "text/html": ["<script>parent.x = 1</script>", "<b>hi</b>"], "text/plain": "hi" });
  assert.equal(html?.component, HtmlOutput);
  const frame = HtmlOutput({ value: ["<script>parent.x = 1</script>", "<b>hi</b>"], metadata: {}, mime: "text/html" });
  assert.equal(frame.type, HtmlFrame);
  assert.equal(frame.props.html, "<script>parent.x = 1</script><b>hi</b>");
  assert.equal(HTML_SANDBOX, "allow-scripts", "scripts run only in an opaque origin: never allow-same-origin");

  assert.equal(pickRenderer({ "image/svg+xml": "<svg/>", "text/plain": "svg" })?.component, SvgOutput);
  const img = SvgOutput({ value: "<svg onload='x()'/>", metadata: { "image/svg+xml": { width: 40 } }, mime: "image/svg+xml" });
  assert.equal(img.type, "img");
  assert.equal(img.props.width, 40);
  assert.ok(img.props.src.startsWith("data:image/svg+xml;charset=utf-8,%3Csvg"));
});
