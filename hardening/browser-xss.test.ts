/**
 * XSS from an untrusted notebook (docs/security.md): a .ipynb written straight to disk, as
 * one downloaded from the internet would be, whose stored outputs, markdown, source and
 * metadata each try to run script in the page's origin. Tessera has no "trusted notebook"
 * notion: whatever a notebook holds is rendered as if hostile, so opening it must be safe.
 *
 * Every payload reports by postMessage to the top window, which a collector installed in
 * the page records with the sender's origin as the browser gives it (a payload cannot forge
 * that), saying what the payload could reach: the page, its cookies, its storage, the
 * server API. So the test sees both that the sandboxed HTML outputs did run (in an opaque
 * origin, reaching nothing) and that nothing else ran at all. (Not requests to another host:
 * Chromium runs sandboxed frames in their own process, and a request made the instant such
 * a frame starts can slip past Playwright's interception.)
 */
import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before } from "node:test";
import type { Browser, Frame } from "playwright-core";
import { animationFrames, cell, launchBrowser, loggedInTab, openNotebook, screenshot, type Tab } from "../e2e/lib/browser.js";
import { e2eTest } from "../e2e/lib/harness.js";
import { LONG, startServer, type E2EServer } from "../e2e/lib/server.js";
import { waitUntil } from "../e2e/lib/wait.js";

const EVIL = "http://evil.example";

/** What a payload says, and the origin the browser says it came from. */
interface Beacon {
  id: string;
  /** The sender's origin as the browser reports it with the message ("null" for an opaque one). */
  from: string;
  /** document.cookie as the payload read it, or "blocked:<error>". */
  cookie: string;
  /** What it tried first: "top" (set top.__pwned), "title", "storage", or "<name>-blocked". */
  tried: string;
  /** The step reporting: "ran", then "read:<status>"/"read-blocked" and "put:<status>"/"put-blocked". */
  step: string;
}

/**
 * The script each payload runs: mark the page (top.__pwned, its title, its localStorage),
 * read the cookies, read the API and write a file through it with the page's XSRF value,
 * and report each step. Single quotes only and no `&`, `<` or `>`: it goes inside HTML
 * attributes and markdown as it is.
 */
function probe(id: string, origin: string): string {
  const send = `function b(step){top.postMessage({tesseraProbe:{id:'${id}',cookie:c,tried:r.join(','),step:step}},'*')}`;
  return (
    `(function(){var r=[],c='';${send};` +
    `try{top.__pwned='${id}';r.push('top')}catch(e){r.push('top-blocked')}` +
    `try{parent.document.title='pwned ${id}';r.push('title')}catch(e){r.push('title-blocked')}` +
    `try{localStorage.setItem('pwned','${id}');r.push('storage')}catch(e){r.push('storage-blocked')}` +
    `try{c=document.cookie}catch(e){c='blocked:'+e.name}` +
    `b('ran');` +
    `fetch('${origin}/api/contents',{credentials:'include'}).then(function(res){b('read:'+res.status)},function(){b('read-blocked')});` +
    `var x=(c.split('_xsrf=')[1]||'').split(';')[0];` +
    `fetch('${origin}/api/contents/pwned-${id}.txt',{method:'PUT',credentials:'include',headers:{'Content-Type':'application/json','X-XSRFToken':decodeURIComponent(x)},body:JSON.stringify({type:'file',format:'text',content:'pwned'})})` +
    `.then(function(res){b('put:'+res.status)},function(){b('put-blocked')})})()`
  );
}

/** A payload with no spaces and no `%`, for a link target, an attachment or TeX (where a space ends the URL). */
const short = (id: string) =>
  `top.__pwned='${id}';top.postMessage({tesseraProbe:{id:'${id}',cookie:document.cookie,tried:'top',step:'ran'}},'*')`;

/** Payloads that run, but inside a sandboxed frame: each must report, from an opaque origin. */
const SANDBOXED = ["out-html-script", "out-html-img", "out-html-iframe"];
/**
 * A javascript: link in an HTML output, clicked: Chromium may or may not run it in the
 * frame (either is safe); if it does, it must report from the frame's opaque origin too.
 */
const MAY_RUN_SANDBOXED = "out-html-link";

/** The untrusted notebook: every place a notebook can put HTML or script, each with its own payload id. */
function untrustedNotebook(origin: string): object {
  const p = (id: string) => probe(id, origin);
  const md = (id: string, source: string) => ({ id, cell_type: "markdown", metadata: {}, source });
  const code = (id: string, source: string, outputs: object[]) => ({
    id,
    cell_type: "code",
    metadata: {},
    source,
    execution_count: 1,
    outputs,
  });
  const display = (data: Record<string, unknown>) => ({ output_type: "display_data", data, metadata: {} });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" onload="${p("out-svg-onload")}"><script>${p("out-svg-script")}</script><rect width="160" height="40" fill="#c33"/><text x="8" y="26" fill="#fff">svg output</text></svg>`;
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "typescript", display_name: `TypeScript <img src=x onerror="${p("meta-kernelspec")}">`, language: "typescript" },
      language_info: { name: "typescript" },
    },
    cells: [
      md(
        "md-heading",
        `# Untrusted notebook\n\nEvery cell below tries to run script in the page. <img src=x onerror="${p("md-img")}"> <b>bold raw HTML</b>`,
      ),
      md(
        "md-script",
        `<script>${p("md-script")}</script>\n\n<svg onload="${p("md-svg-onload")}"><script>${p("md-svg-script")}</script></svg>`,
      ),
      md(
        "md-links",
        `Links: [click me](javascript:${short("md-link")}) and <a href="javascript:${p("md-rawlink")}" id="md-rawlink">raw link</a> and <a href="jAvAsCrIpT:${p("md-caselink")}">case link</a>`,
      ),
      md(
        "md-frames",
        `<iframe srcdoc="&lt;script&gt;${p("md-iframe-srcdoc")}&lt;/script&gt;"></iframe><iframe src="javascript:${p("md-iframe-src")}"></iframe>` +
          `<object data="javascript:${p("md-object")}"></object><embed src="javascript:${p("md-embed")}">` +
          `<details open ontoggle="${p("md-details")}"><summary>details</summary>opened</details>`,
      ),
      // A mutation-XSS shape that got past old sanitizers, and tags that would retarget or navigate the page.
      md("md-mxss", `<math><mtext><table><mglyph><style><img src=x onerror="${p("md-mxss")}">`),
      md(
        "md-retarget",
        `<base href="${EVIL}/">\n\n<meta http-equiv="refresh" content="0;url=javascript:${short("md-meta")}">\n\nMath: $\\href{javascript:${short("md-katex")}}{katex link}$`,
      ),
      {
        ...md("md-attachment", "Attachment: ![attached](attachment:x.png)"),
        // The attachment's base64 is spliced into src="…" before sanitizing: a quote in it must not open an attribute.
        attachments: { "x.png": { "image/png": `iVBORw0KGgo"onerror="${short("md-attachment")}` } },
      },
      { id: "raw-cell", cell_type: "raw", metadata: {}, source: `<script>${p("raw-cell")}</script>` },
      code("code-html", `// a cell whose stored outputs are HTML\n// </span><img src=x onerror="${p("code-source")}">`, [
        display({ "text/html": `<p>html output <b>bold</b></p><script>${p("out-html-script")}</script>`, "text/plain": "html" }),
        display({ "text/html": `<img src=x onerror="${p("out-html-img")}"><i>image that fails</i>` }),
        display({ "text/html": `<iframe srcdoc="&lt;script&gt;${p("out-html-iframe")}&lt;/script&gt;" style="height:20px"></iframe>` }),
        display({ "text/html": `<a id="jslink" href="javascript:${p("out-html-link")}" target="_self">html output link</a>` }),
      ]),
      code("code-svg-js", "// an SVG, JavaScript and JSON", [
        display({ "image/svg+xml": svg }),
        display({ "application/javascript": p("out-js") }),
        display({ "application/javascript": p("out-js-plain"), "text/plain": "plain text instead of javascript" }),
        display({ "application/json": { html: `<img src=x onerror="${p("out-json")}">` } }),
      ]),
      code("code-md-out", "// markdown, LaTeX, a stream and an error", [
        display({
          "text/markdown": `Markdown output <img src=x onerror="${p("out-md")}"> [md output link](javascript:${short("out-md-link")})`,
        }),
        display({ "text/latex": `\\href{javascript:${short("out-latex")}}{latex link}` }),
        {
          output_type: "stream",
          name: "stdout",
          text: `stream says <script>${p("out-stream")}</script><img src=x onerror="${p("out-stream-img")}">\n`,
        },
        {
          output_type: "error",
          ename: `<img src=x onerror="${p("out-error")}">`,
          evalue: "<b>not bold</b>",
          traceback: [`\u001b[31mError\u001b[0m <img src=x onerror="${p("out-traceback")}">`],
        },
      ]),
    ],
  };
}

let server: E2EServer;
let browser: Browser;
let tab: Tab | undefined;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await tab?.context.close();
  await browser?.close();
  await server?.close();
});

e2eTest("XSS from notebook outputs and markdown: an untrusted notebook runs no script in the page's origin", async (t) => {
  await writeFile(join(server.root, "untrusted.ipynb"), JSON.stringify(untrustedNotebook(server.origin), null, 1));
  tab = await loggedInTab(browser, server);
  const { page, context } = tab;
  // The collector, in the top window only: every probe's message, with the origin the browser gives it.
  await context.addInitScript(() => {
    if (window !== window.top) return;
    const got: unknown[] = [];
    (window as unknown as { __probes: unknown[] }).__probes = got;
    window.addEventListener("message", (e) => {
      const said = (e.data as { tesseraProbe?: object } | null)?.tesseraProbe;
      if (said) got.push({ ...said, from: e.origin });
    });
  });
  const probes = () => page.evaluate(() => (window as unknown as { __probes: Beacon[] }).__probes.slice());
  // Nothing should reach another site; a retargeted <base> would send the page's own requests there.
  const toEvil: string[] = [];
  await context.route(`${EVIL}/**`, async (route) => {
    toEvil.push(route.request().url());
    await route.fulfill({ status: 204 });
  });
  const popups: string[] = [];
  context.on("page", (p) => popups.push(p.url()));

  await openNotebook(page, server, "untrusted.ipynb");
  const title = await page.title();
  assert.equal(title, "untrusted — Tessera");
  const loggedInCookies = await context.cookies();
  const xsrf = loggedInCookies.find((c) => c.name === "_xsrf")?.value;
  assert.ok(xsrf, "the page holds an _xsrf cookie a payload in its origin could read");

  // Rendered: the four HTML outputs as frames, the markdown cells, the SVG as an image.
  await page.waitForFunction(() => document.querySelectorAll(".cells iframe.output-html-frame").length === 4);
  await page.waitForSelector(`${cell(0)} .markdown-rendered h1`);
  await page.waitForSelector(".cells img.output-image");
  const htmlFrames = await page.$$(".cells iframe.output-html-frame");
  // Every payload that can run (in the sandbox) has run and finished its API attempts; the link one runs when clicked.
  const finished = async (ids: string[]) => {
    const got = await probes();
    return ids.every(
      (id) => got.some((b) => b.id === id && b.step.startsWith("read")) && got.some((b) => b.id === id && b.step.startsWith("put")),
    );
  };
  await waitUntil(() => finished(SANDBOXED), "the sandboxed payloads report");

  // Click every javascript: link, in the page (markdown, a markdown output) and in an HTML output's frame.
  for (const text of ["click me", "raw link", "case link", "md output link", "katex link", "latex link"]) {
    const link = page.getByText(text, { exact: true });
    if ((await link.count()) > 0) await link.first().click();
  }
  const linkFrame = (await htmlFrames[3].contentFrame()) as Frame;
  await linkFrame.click("#jslink");
  // Anything else has had its chance by now: a click is handled within a few frames, and a
  // probe that ran reports at once, before its fetches. (The frames' probes took longer: they ran
  // and finished two fetches each while the page waited above.)
  await animationFrames(page, 30);
  await linkFrame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // Back at the top (the clicks scrolled), to see the header, the markdown and the first outputs.
  await page.evaluate(() => {
    document.scrollingElement?.scrollTo(0, 0);
    document.querySelector(".notebook-scroll")?.scrollTo(0, 0);
  });
  await animationFrames(page, 2);
  await screenshot(page, "xss-untrusted.png");

  // 1. Nothing ran in the page's origin: no marker, no title, no storage, no retargeted base, no navigation.
  const state = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
    title: document.title,
    storage: localStorage.getItem("pwned"),
    base: document.baseURI,
    url: location.href,
  }));
  assert.deepEqual(state, { pwned: null, title, storage: null, base: page.url(), url: page.url() }, "the page's origin is untouched");
  assert.ok(state.base.startsWith(server.origin), `document.baseURI is ${state.base}`);
  assert.deepEqual(popups, [], "no window was opened");
  assert.deepEqual(toEvil, [], "no request went to another site");

  // 2. Only the sandboxed HTML outputs ran at all, from an opaque origin, and reached nothing.
  const beacons = await probes();
  const ids = [...new Set(beacons.map((b) => b.id))].filter((id) => id !== MAY_RUN_SANDBOXED).sort();
  assert.deepEqual(ids, [...SANDBOXED].sort(), `payloads that ran: ${JSON.stringify(beacons, null, 1)}`);
  t.diagnostic(
    `the javascript: link in an HTML output ${beacons.some((b) => b.id === MAY_RUN_SANDBOXED) ? "ran, in its sandboxed frame" : "did not run"}`,
  );
  for (const b of beacons) {
    const what = `${b.id} (${b.step})`;
    assert.equal(b.from, "null", `${what} ran in an opaque origin`);
    assert.equal(b.cookie, "blocked:SecurityError", `${what} could not read document.cookie`);
    assert.ok(!b.cookie.includes(xsrf), `${what} read the page's cookies`);
    assert.equal(b.tried, "top-blocked,title-blocked,storage-blocked", `${what} could not reach the page or storage`);
    assert.ok(!/^(read|put):/.test(b.step), `${what} got an answer from the server API`);
  }
  const files = await readdir(server.root);
  assert.deepEqual(
    files.filter((f) => f.startsWith("pwned")),
    [],
    "no payload wrote a file through the API",
  );

  // 3. The DOM the page built from the notebook holds no live script: no script elements, no
  //    event handler attributes, no javascript: URLs, no base/meta/object/embed, and the only
  //    frames are the HTML outputs' sandboxed ones.
  const dom = await page.evaluate(() => {
    const cells = document.querySelector(".cells")!;
    const bad: string[] = [];
    for (const el of Array.from(cells.querySelectorAll("*"))) {
      if (["SCRIPT", "BASE", "META", "OBJECT", "EMBED"].includes(el.tagName)) bad.push(`<${el.tagName.toLowerCase()}>`);
      for (const a of Array.from(el.attributes)) {
        if (/^on/i.test(a.name)) bad.push(`${el.tagName.toLowerCase()}[${a.name}]`);
        if (["href", "src", "action", "data", "formaction", "xlink:href"].includes(a.name) && /^\s*javascript:/i.test(a.value))
          bad.push(`${el.tagName.toLowerCase()}[${a.name}=${a.value.slice(0, 30)}]`);
      }
    }
    const frames = Array.from(cells.querySelectorAll("iframe")).map((f) => ({ cls: f.className, sandbox: f.getAttribute("sandbox") }));
    const stream = cells.querySelector(".output-stream")?.textContent ?? "";
    const errorText = cells.querySelector(".output-error")?.textContent ?? "";
    const svg = Array.from(cells.querySelectorAll("img.output-image")).map((i) => i.getAttribute("src")?.split(",")[0]);
    const outputsText = cells.textContent ?? "";
    return { bad, frames, stream, errorText, svg, outputsText };
  });
  assert.deepEqual(dom.bad, [], "nothing executable survived into the page");
  assert.equal(dom.frames.length, 4, "one frame per HTML output, nothing else");
  for (const f of dom.frames) {
    assert.equal(f.cls, "output-html-frame");
    const flags = (f.sandbox ?? "").split(/\s+/);
    assert.ok(f.sandbox !== null, "the frame is sandboxed");
    for (const escape of [
      "allow-same-origin",
      "allow-top-navigation",
      "allow-popups-to-escape-sandbox",
      "allow-top-navigation-by-user-activation",
    ]) {
      assert.ok(!flags.includes(escape), `the frame's sandbox (${f.sandbox}) lacks ${escape}`);
    }
  }
  for (const frame of htmlFrames) {
    assert.equal(await (await frame.contentFrame())!.evaluate(() => self.origin), "null", "an HTML output's frame has an opaque origin");
  }
  // What could not run is shown as text, not dropped: the stream and the error, literally.
  assert.ok(dom.stream.includes("stream says <script>"), `the stream shows its HTML as text: ${dom.stream.slice(0, 80)}`);
  assert.ok(dom.errorText.includes("<img src=x onerror="), `the error shows its HTML as text: ${dom.errorText.slice(0, 80)}`);
  assert.deepEqual(dom.svg, ["data:image/svg+xml;charset=utf-8"], "the SVG output is an <img> (no script in images)");
  assert.ok(dom.outputsText.includes("plain text instead of javascript"), "JavaScript output falls back to its text/plain");
  assert.ok(dom.outputsText.includes("cannot be shown"), "JavaScript output alone is not run, only named");
  assert.ok(dom.outputsText.includes("bold raw HTML"), "harmless raw HTML in markdown still renders");

  // 4. The page's own code is unharmed: its only errors are payloads' refusals inside the frames.
  const foreign = tab.errors.filter((e) => !/Blocked a frame with origin "null"|The document is sandboxed/.test(e));
  assert.deepEqual(foreign, [], "no error in the page's own code");
  assert.equal(await page.title(), title);
  await page.waitForSelector(".kernel-status.kernel-idle", { timeout: LONG });
});
