// Tokenizes real rulesets with the grammar, using the same TextMate engine
// as VS Code (vscode-textmate + oniguruma), and fails when any visible
// character gets no scope of its own (only `source.osler` / `meta.*`) or an
// `invalid.*` scope: a form the grammar does not know yet.
// Usage: node test/grammar-coverage.mjs [file-or-folder ...]
// (default: the repository's rulesets/ and editors/test-fixtures/).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import textmate from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.resolve(here, "..");
const repository = path.resolve(extension, "../..");
const require = createRequire(import.meta.url);

const wasm = readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
const registry = new textmate.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (text) => new oniguruma.OnigString(text),
  }),
  loadGrammar: async (scopeName) => {
    if (scopeName !== "source.osler") return null;
    const file = path.join(extension, "syntaxes/osler.tmLanguage.json");
    return textmate.parseRawGrammar(readFileSync(file, "utf8"), file);
  },
});
const grammar = await registry.loadGrammar("source.osler");

function oslFiles(target) {
  if (statSync(target).isDirectory()) {
    return readdirSync(target).sort().flatMap((name) => oslFiles(path.join(target, name)));
  }
  return target.endsWith(".osl") ? [target] : [];
}

const targets = process.argv.length > 2
  ? process.argv.slice(2)
  : [path.join(repository, "rulesets"), path.join(repository, "editors/test-fixtures")];
const files = targets.flatMap(oslFiles);
if (files.length === 0) {
  console.error(`grammar coverage: no .osl files under ${targets.join(", ")}`);
  process.exit(1);
}

let tokens = 0;
const problems = [];
for (const file of files) {
  let state = textmate.INITIAL;
  readFileSync(file, "utf8").split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    for (const token of result.tokens) {
      const text = line.slice(token.startIndex, token.endIndex);
      if (text.trim() === "") continue;
      tokens += 1;
      const own = token.scopes.filter((scope) => scope !== "source.osler" && !scope.startsWith("meta."));
      const where = `${path.relative(repository, file)}:${index + 1}:${token.startIndex + 1}`;
      if (own.length === 0) {
        problems.push(`${where}: \`${text}\` has no scope (${token.scopes.join(" ")})`);
      } else if (own.some((scope) => scope.startsWith("invalid."))) {
        problems.push(`${where}: \`${text}\` is marked invalid (${token.scopes.join(" ")})`);
      }
    }
  });
}

for (const problem of problems.slice(0, 50)) console.error(problem);
if (problems.length > 0) {
  console.error(`grammar coverage: ${problems.length} unscoped or invalid tokens in ${files.length} files`);
  process.exit(1);
}
console.log(`grammar coverage: ${files.length} files, ${tokens} tokens, every one scoped`);
