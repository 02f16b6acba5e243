// Mozilla's Readability.js on saved pages, for bench/extraction.py: reads a JSON list of
// [path, url] pairs on stdin, writes one JSON line per page (textContent and metadata).
// Run with NODE_PATH pointing at the node_modules the bench target installed.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const require = createRequire(resolve(process.env.NODE_PATH || ".", "noop.js"));
const { Readability } = require("@mozilla/readability");
const { JSDOM, VirtualConsole } = require("jsdom");

const pages = JSON.parse(readFileSync(0, "utf8"));
for (const [path, url] of pages) {
  const started = process.hrtime.bigint();
  let out = { path, text: "", title: "", byline: "", published: "", error: "" };
  try {
    const html = readFileSync(path, "utf8");
    // Page scripts and style sheets are not run or fetched: Readability reads the saved DOM.
    const dom = new JSDOM(html, { url: url || "http://fakehost/test/page.html",
                                  virtualConsole: new VirtualConsole() });
    const article = new Readability(dom.window.document).parse();
    if (article) {
      out.text = article.textContent || "";
      out.title = article.title || "";
      out.byline = article.byline || "";
      out.published = article.publishedTime || "";
    }
  } catch (err) {
    out.error = String(err).slice(0, 200);
  }
  out.ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(JSON.stringify(out) + "\n");
}
