// Runs the browser script's word functions in Node for the differential test
// (tests/search_differential.rs): reads lines from the file named by the first argument and
// prints, per line, the tokens, their English stems, the exact-name key and the typo keys of
// the first token, tab-separated.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const script = readFileSync(join(import.meta.dirname, "..", "..", "themes", "default", "static", "search.js"), "utf8");
// The script only defines its word functions when there is no search page to run on.
new Function(script)();
const w = globalThis.castdownSearchWords;
const lines = readFileSync(process.argv[2], "utf8").split("\n");
const out = [];
for (const line of lines) {
  const toks = w.tokenize(line);
  const first = toks[0] || "";
  const keys = first ? w.deletionKeys(first, w.maxEdits(Array.from(first).length)).join(",") : "";
  // Characters this engine's Unicode tables do not know yet are marked: its Unicode version
  // and Rust's differ, and a search cannot agree on characters one side has never heard of.
  const unknown = /\p{Cn}/u.test(line) ? "?" : "";
  out.push([toks.join(" "), toks.map(w.stemEnglish).join(" "), w.nameKey(line) || "", keys, unknown].join("\t"));
}
process.stdout.write(out.join("\n"));
