// End-to-end test of the extension in a real VS Code (code-server), offline:
// installs the packaged .vsix, opens the fixture ruleset in Debian's
// Chromium driven by playwright-core, and checks what a user sees:
// the file is an Osler file highlighted by our grammar, the deliberate error
// has a squiggle and a Problems entry with the server's message, hovering a
// fact shows its doc, F12 goes to a definition, the restart command works,
// and a missing server gets a clear message. Leaves a screenshot in
// test-results/vscode.png (and test-results/failure.png when a step fails).
//
// Environment:
//   OSLER               the osler binary (must have `osler lsp`); required
//   CODE_SERVER_ENTRY   code-server's out/node/entry.js (default: run
//                       e2e/install-code-server.sh, which caches it)
//   CHROMIUM            the browser (default /usr/bin/chromium)
//   OSLER_E2E_TIMEOUT_MS  per-step timeout (default 60000)
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionRoot = path.resolve(here, "..");
const repository = path.resolve(extensionRoot, "../..");
const fixture = path.join(repository, "editors/test-fixtures/acute_limb");
const results = path.join(extensionRoot, "test-results");
const vsix = path.join(extensionRoot, "dist/osler.vsix");
const timeout = Number(process.env.OSLER_E2E_TIMEOUT_MS ?? 60000);
const started = Date.now();

const osler = process.env.OSLER;
if (!osler || !existsSync(osler)) {
  console.error(`vscode e2e: set OSLER to the osler binary (got ${osler ?? "nothing"})`);
  process.exit(2);
}
if (!existsSync(vsix)) {
  console.error(`vscode e2e: ${vsix} is missing: run \`npm run build && npm run package\` first`);
  process.exit(2);
}
const codeServer =
  process.env.CODE_SERVER_ENTRY ??
  execFileSync("bash", [path.join(here, "install-code-server.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim()
    .split("\n")
    .pop();

function log(message) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);
}

let passed = 0;
const failed = [];
function check(condition, what, detail) {
  if (condition) {
    passed += 1;
    console.log(`ok   ${what}`);
  } else {
    failed.push(what);
    console.log(`FAIL ${what}${detail === undefined ? "" : `: ${detail}`}`);
  }
  return condition;
}

// A scratch area per run: workspace (a copy of the fixture), VS Code's user
// data and extensions, Chromium's profile. Nothing is shared between runs.
const scratch = mkdtempSync(path.join(os.tmpdir(), "osler-vscode-e2e-"));
const workspace = path.join(scratch, "acute_limb");
const userData = path.join(scratch, "user-data");
const extensions = path.join(scratch, "extensions");
const browserProfile = path.join(scratch, "chromium");
cpSync(fixture, workspace, { recursive: true });
mkdirSync(path.join(userData, "User"), { recursive: true });
mkdirSync(results, { recursive: true });
const settingsFile = path.join(userData, "User/settings.json");
const settings = {
  "workbench.startupEditor": "none",
  "workbench.colorTheme": "Default Dark Modern",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "chat.commandCenter.enabled": false,
  "git.enabled": false,
  "editor.minimap.enabled": false,
  "editor.hover.delay": 200,
  // Below the line, so the hover in the screenshot leaves the error visible.
  "editor.hover.above": false,
  "editor.fontSize": 15,
  "window.commandCenter": false,
};
writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
// code-server's own config (auth, bind address) comes from the command line;
// an empty file here keeps it from writing one into ~/.config.
const codeServerConfig = path.join(scratch, "code-server.yaml");
writeFileSync(codeServerConfig, "");

const serverPath = [path.dirname(path.resolve(osler)), process.env.PATH].join(path.delimiter);
// VSCODE_CLI=1: as when VS Code is started from a terminal, the extension
// host keeps this environment instead of re-reading a login shell's (which
// would reset PATH and lose the osler binary the test puts on it).
const serverEnvironment = { ...process.env, PATH: serverPath, VSCODE_CLI: "1" };
delete serverEnvironment.VSCODE_IPC_HOOK_CLI;

log(`code-server: ${codeServer}`);
log(`install ${path.relative(repository, vsix)}`);
execFileSync(
  process.execPath,
  [codeServer, "--config", codeServerConfig, "--user-data-dir", userData, "--extensions-dir", extensions, "--install-extension", vsix, "--force"],
  { stdio: "inherit", env: serverEnvironment },
);
const installed = readdirSync(extensions).filter((name) => name.startsWith("osler.osler-"));
check(installed.length === 1, "the .vsix is installed", readdirSync(extensions).join(", "));

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const port = await freePort();
let codeServerOutput = "";
const server = spawn(
  process.execPath,
  [
    codeServer,
    "--config", codeServerConfig,
    "--auth", "none",
    "--bind-addr", `127.0.0.1:${port}`,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--user-data-dir", userData,
    "--extensions-dir", extensions,
    workspace,
  ],
  { env: serverEnvironment, stdio: ["ignore", "pipe", "pipe"], detached: true },
);
server.stdout.on("data", (chunk) => (codeServerOutput += chunk));
server.stderr.on("data", (chunk) => (codeServerOutput += chunk));

let context;
let page;

async function waitForServer() {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("code-server did not answer /healthz in time");
}

/** Every log file of the extension's output channel under the user data dir. */
function serverLogs() {
  const found = [];
  const visit = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/Osler Language Server\.log$/.test(entry.name)) found.push(full);
    }
  };
  if (existsSync(path.join(userData, "logs"))) visit(path.join(userData, "logs"));
  return found.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

function serverLogText() {
  return serverLogs()
    .map((file) => readFileSync(file, "utf8"))
    .join("\n");
}

async function runCommand(label) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout });
  await input.fill(`>${label}`);
  const item = page.locator(".quick-input-list .monaco-list-row", { hasText: label }).first();
  await item.waitFor({ state: "visible", timeout });
  await item.click();
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout });
}

async function openFile(name) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout });
  await input.fill(name);
  // Click the matching row: Enter could still pick a recently opened file
  // while the list is being filtered.
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first();
  await row.waitFor({ state: "visible", timeout });
  await row.click();
  await page.locator(".tab.active", { hasText: name }).waitFor({ state: "visible", timeout });
}

/** The rendered span of `text` on the editor line that contains `lineText`. */
function token(lineText, text) {
  const start = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
  return page.locator(".monaco-editor .view-line", { hasText: lineText }).locator("span > span", { hasText: start }).first();
}

async function main() {
  await waitForServer();
  log(`code-server listening on 127.0.0.1:${port}`);

  context = await chromium.launchPersistentContext(browserProfile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(timeout);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout });
  // The explorer shows the workspace once the remote file system answers.
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "rules.osl" }).waitFor({ state: "visible", timeout });
  log("workbench loaded");

  // 1. The file opens as an Osler file.
  await openFile("rules.osl");
  const mode = page.locator("#status\\.editor\\.mode");
  await mode.waitFor({ state: "visible", timeout });
  await page.waitForFunction(() => document.querySelector("#status\\.editor\\.mode")?.textContent?.includes("Osler"), null, { timeout });
  check((await mode.textContent()).includes("Osler"), "language mode is Osler", await mode.textContent());

  // 2. Highlighting: distinct colours for keyword, declaration name, quantity,
  //    and our grammar's scope under the cursor (Inspect Editor Tokens).
  const colour = async (lineText, text) => token(lineText, text).evaluate((element) => getComputedStyle(element).color);
  const keywordColour = await colour("rule ali_emergency", "rule");
  const nameColour = await colour("rule ali_emergency", "ali_emergency");
  const stringColour = await token("rule ali_emergency", '"Absent').evaluate((element) => getComputedStyle(element).color);
  const plainColour = await page.locator(".monaco-editor .view-line", { hasText: "rule ali_emergency" }).locator("span > span").last().evaluate((element) => getComputedStyle(element).color);
  check(new Set([keywordColour, nameColour, stringColour]).size === 3, "keyword, rule name and title have distinct colours", `${keywordColour} ${nameColour} ${stringColour} (plain ${plainColour})`);
  await token("rule ali_emergency", "rule").click();
  await runCommand("Developer: Inspect Editor Tokens and Scopes");
  const inspector = page.locator(".token-inspect-widget");
  await inspector.waitFor({ state: "visible", timeout });
  await page.waitForFunction(() => {
    const text = document.querySelector(".token-inspect-widget")?.textContent ?? "";
    return text.length > 0 && !text.includes("Loading");
  }, null, { timeout });
  const scopes = await inspector.textContent();
  check(scopes.includes("storage.type.rule.osler"), "TextMate scope storage.type.rule.osler at `rule`", scopes.slice(0, 300));
  check(scopes.includes("osler"), "inspector names the osler language", scopes.slice(0, 300));
  await page.keyboard.press("Escape");
  await inspector.waitFor({ state: "hidden", timeout }).catch(() => undefined);

  // 3. The deliberate error: a squiggle in the editor and a Problems entry.
  await page.locator(".monaco-editor .squiggly-error").first().waitFor({ state: "attached", timeout });
  check(true, "error squiggle in the editor");
  await runCommand("View: Toggle Problems");
  const problem = page.locator(".markers-panel .monaco-list-row", { hasText: "unknown fact `unilaterl`" }).first();
  await problem.waitFor({ state: "visible", timeout });
  const problemText = await problem.textContent();
  check(problemText.includes("unknown fact `unilaterl`"), "Problems entry with the server's message", problemText);
  check(problemText.includes("osler::unknown_fact"), "Problems entry names the code", problemText);

  // 4. Hover a fact: its type and `///` doc.
  await page.locator(".monaco-editor .view-lines").first().click({ position: { x: 5, y: 5 } });
  // (The line's text also holds the server's inlay hint `mmHg` after the fact.)
  const fact = token("50 mmHg and symptom_duration", "ankle_pressure");
  await fact.hover();
  const hover = page.locator(".monaco-hover", { hasText: "Ankle systolic pressure" });
  await hover.waitFor({ state: "visible", timeout });
  const hoverText = await hover.textContent();
  check(hoverText.includes("Ankle systolic pressure, measured with a handheld Doppler."), "hover shows the fact's doc", hoverText);
  check(hoverText.includes("number mmHg"), "hover shows the fact's type", hoverText);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(results, "vscode.png") });
  log(`screenshot ${path.relative(repository, path.join(results, "vscode.png"))}`);

  // 5. Go to definition (F12) of the derived fact `absent_pulse`.
  await page.mouse.move(5, 5);
  await token("absent_pulse and unilaterl", "absent_pulse").click();
  await page.keyboard.press("F12");
  await page.locator(".tab.active", { hasText: "facts.osl" }).waitFor({ state: "visible", timeout });
  const definitionLine = readFileSync(path.join(workspace, "facts.osl"), "utf8").split("\n").findIndex((line) => line.startsWith("let absent_pulse")) + 1;
  await page.waitForFunction(
    (line) => document.querySelector("#status\\.editor\\.selection")?.textContent?.includes(`Ln ${line},`),
    definitionLine,
    { timeout },
  );
  check(true, `F12 opens facts.osl at line ${definitionLine}`);

  // 6. The restart command stops and starts the server again.
  const runningBefore = (serverLogText().match(/language server running/g) ?? []).length;
  await runCommand("Osler: Restart Language Server");
  const deadline = Date.now() + timeout;
  while ((serverLogText().match(/language server running/g) ?? []).length <= runningBefore && Date.now() < deadline) {
    await page.waitForTimeout(200);
  }
  check((serverLogText().match(/language server running/g) ?? []).length > runningBefore, "Osler: Restart Language Server restarts it", serverLogs().join(", "));
  await openFile("rules.osl");
  await page.locator(".monaco-editor .squiggly-error").first().waitFor({ state: "attached", timeout });
  check(true, "diagnostics again after the restart");

  // 7. A missing server: a clear message that names the setting.
  //    Set through the Settings editor, as a user would.
  await runCommand("Preferences: Open User Settings");
  await page.locator(".settings-editor").waitFor({ state: "visible", timeout });
  await page.keyboard.type("osler.server.path");
  // The path to a binary is a machine-overridable setting (rust-analyzer's
  // `server.path` is too): in code-server it belongs to the Remote tab.
  await page.locator(".settings-editor .settings-tabs-widget .action-label", { hasText: "Remote" }).first().click();
  const setting = page.locator(".settings-editor .setting-item-contents", { hasText: "osler lsp" }).first();
  await setting.waitFor({ state: "visible", timeout });
  check((await setting.textContent()).includes("Server: Path"), "the setting osler.server.path is in the Settings editor", await setting.textContent());
  const field = setting.locator("input").first();
  await field.fill("/nonexistent/osler");
  await field.press("Enter");
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "osler.server.path" }).first();
  await toast.waitFor({ state: "visible", timeout });
  const toastText = await toast.textContent();
  check(toastText.includes("/nonexistent/osler") && toastText.includes("does not exist"), "missing server: clear message", toastText);
  check(toastText.includes("Open Settings"), "missing server: offers to open the setting", toastText);
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  failed.push(`step failed: ${error.message.split("\n")[0]}`);
  console.log(`FAIL ${error.stack ?? error}`);
}
if (failed.length > 0) {
  exitCode = 1;
  if (page) {
    await page.screenshot({ path: path.join(results, "failure.png") }).catch(() => undefined);
    console.log(`screenshot of the failure: ${path.join(results, "failure.png")}`);
  }
  console.log("---- Osler Language Server log (output channel)");
  console.log(serverLogText() || "(no log file found)");
  console.log("---- code-server output (last 4000 characters)");
  console.log(codeServerOutput.slice(-4000));
}
await context?.close().catch(() => undefined);
try {
  process.kill(-server.pid, "SIGTERM");
} catch {
  // Already gone.
}
await new Promise((resolve) => setTimeout(resolve, 300));
if (exitCode === 0) rmSync(scratch, { recursive: true, force: true });
else console.log(`scratch folder kept: ${scratch}`);
console.log(`vscode e2e: ${passed} passed, ${failed.length} failed (${((Date.now() - started) / 1000).toFixed(1)}s)`);
process.exit(exitCode);
