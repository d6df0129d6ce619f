// Bundles the extension and vscode-languageclient into dist/extension.js
// (the .vsix then carries no node_modules), and copies the shell helper the
// client runs from its own folder to stop a server that ignores `exit`.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/extension.ts"],
  bundle: true,
  outfile: "dist/extension.js",
  external: ["vscode"],
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: true,
  minify: true,
  keepNames: true,
  logLevel: "warning",
});
copyFileSync("node_modules/vscode-languageclient/lib/node/terminateProcess.sh", "dist/terminateProcess.sh");
