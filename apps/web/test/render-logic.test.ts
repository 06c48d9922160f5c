import assert from "node:assert/strict";
import { test } from "node:test";
import { markdownToHtml } from "../src/markdown/render.js";
import { applyCarriageReturns, streamTail } from "../src/outputs/stream-text.js";

test("stream tail keeps the last lines and counts what it hides", () => {
  const text = Array.from({ length: 1_000_000 }, (_, i) => `line ${i}\n`).join("");
  const t0 = performance.now();
  const tail = streamTail(text, 1000, 1_000_000);
  assert.ok(performance.now() - t0 < 50, "only the tail is scanned");
  assert.equal(tail.text.split("\n").length - 1, 1000);
  assert.ok(tail.text.startsWith("line 999000\n"));
  assert.ok(tail.text.endsWith("line 999999\n"));
  assert.equal(tail.hiddenChars, text.length - tail.text.length);
  assert.deepEqual(streamTail("a\nb", 5, 100), { text: "a\nb", hiddenChars: 0 });
  assert.equal(streamTail("x".repeat(500), 5, 100).text.length, 100, "one huge line is capped by characters");
});

test("carriage returns overwrite the line like a terminal", () => {
  assert.equal(applyCarriageReturns("10%\r50%\r100%\ndone\n"), "100%\ndone\n");
  assert.equal(applyCarriageReturns("a\r\nb\n"), "a\nb\n");
  assert.equal(applyCarriageReturns("step 1\r"), "step 1");
});

test("markdown renders math inline and displayed, and leaves money and code alone", () => {
  const html = markdownToHtml("Euler: $e^{i\\pi}+1=0$\n\n$$\\int_0^1 x\\,dx$$\n\nIt costs $5 and $6. `$not math$`");
  assert.match(html, /class="katex"/);
  assert.match(html, /class="math-display"><span class="katex-display">/);
  assert.match(html, /It costs \$5 and \$6\./);
  assert.match(html, /<code>\$not math\$<\/code>/);
  assert.match(markdownToHtml("# Title"), /<h1>Title<\/h1>/);
});
