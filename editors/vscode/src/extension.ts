// The Osler extension: starts `osler lsp` for `.osl` files through
// vscode-languageclient, with a command to restart it, an output channel for
// its log (the server's stderr and the client's own messages) and a clear
// message when the `osler` binary cannot be found. Highlighting, snippets and
// the language configuration are declarative (package.json).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from "vscode-languageclient/node";

const SETTINGS_SECTION = "osler";
const SERVER_PATH_SETTING = "osler.server.path";

let client: LanguageClient | undefined;
let log: vscode.LogOutputChannel;
let traceChannel: vscode.OutputChannel;
let status: vscode.LanguageStatusItem;
// Restarts are serialised: a configuration change during a restart waits.
let lifecycle: Promise<void> = Promise.resolve();

/** Where the server binary was found, or why it was not. */
type Resolution = { found: true; command: string } | { found: false; configured: string; reason: string };

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel("Osler Language Server", { log: true });
  traceChannel = vscode.window.createOutputChannel("Osler Language Server Trace");
  status = vscode.languages.createLanguageStatusItem("osler.server", { language: "osler" });
  status.name = "Osler Language Server";
  status.command = { title: "Restart", command: "osler.restartServer" };
  context.subscriptions.push(log, traceChannel, status);

  context.subscriptions.push(
    vscode.commands.registerCommand("osler.restartServer", () => queue(restart)),
    vscode.commands.registerCommand("osler.showServerLog", () => log.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("osler.server")) {
        log.info("server settings changed: restarting the language server");
        void queue(restart);
      }
    }),
  );

  await queue(start);
}

export async function deactivate(): Promise<void> {
  await queue(stop);
}

function queue(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step, step);
  return lifecycle;
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (!running) {
    return;
  }
  try {
    if (running.state !== State.Stopped) {
      await running.stop(5000);
    }
  } catch (error) {
    log.warn(`stopping the language server: ${message(error)}`);
  }
  await running.dispose().catch(() => undefined);
}

async function start(): Promise<void> {
  const resolution = resolveServer();
  if (!resolution.found) {
    setStatus("not found", vscode.LanguageStatusSeverity.Error, resolution.reason);
    log.error(resolution.reason);
    log.info(`PATH searched: ${process.env.PATH ?? "(unset)"}`);
    void reportMissing(resolution);
    return;
  }

  const extraEnv = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<Record<string, string>>("server.extraEnv", {});
  const serverOptions: ServerOptions = {
    command: resolution.command,
    args: ["lsp"],
    options: {
      cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      env: { ...process.env, ...extraEnv },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "osler" },
      { scheme: "untitled", language: "osler" },
    ],
    outputChannel: log,
    traceOutputChannel: traceChannel,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationFailedHandler: (error) => {
      log.error(`the language server failed to initialize: ${message(error)}`);
      return false;
    },
  };

  const created = new LanguageClient("osler", "Osler Language Server", serverOptions, clientOptions);
  created.onDidChangeState((event) => {
    if (event.newState === State.Running) {
      setStatus("running", vscode.LanguageStatusSeverity.Information, `${resolution.command} lsp`);
    } else if (event.newState === State.Stopped) {
      setStatus("stopped", vscode.LanguageStatusSeverity.Warning, `${resolution.command} lsp is not running`);
    }
  });
  client = created;
  setStatus("starting", vscode.LanguageStatusSeverity.Information, `${resolution.command} lsp`);
  log.info(`starting ${resolution.command} lsp`);
  try {
    await created.start();
    const info = created.initializeResult?.serverInfo;
    log.info(`language server running: ${info?.name ?? "osler"} ${info?.version ?? ""} (${resolution.command})`);
  } catch (error) {
    const text =
      `The Osler language server (${resolution.command} lsp) failed to start: ${message(error)}. ` +
      "Check that this `osler` has the `lsp` subcommand, or set `osler.server.path`.";
    log.error(text);
    setStatus("failed", vscode.LanguageStatusSeverity.Error, text);
    void vscode.window.showErrorMessage(text, "Show Log", "Open Settings").then(onChoice);
  }
}

async function reportMissing(resolution: Extract<Resolution, { found: false }>): Promise<void> {
  const choice = await vscode.window.showErrorMessage(
    `Osler: ${resolution.reason} Install it (\`cargo install --path cli\` in the Osler repository) ` +
      `or set \`${SERVER_PATH_SETTING}\` to the binary, then run "Osler: Restart Language Server".`,
    "Open Settings",
    "Show Log",
  );
  await onChoice(choice);
}

async function onChoice(choice: string | undefined): Promise<void> {
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", SERVER_PATH_SETTING);
  } else if (choice === "Show Log") {
    log.show(true);
  }
}

function setStatus(state: string, severity: vscode.LanguageStatusSeverity, detail: string): void {
  status.text = `Osler server: ${state}`;
  status.severity = severity;
  status.detail = detail;
}

/** Finds the server binary from `osler.server.path` (a command on PATH or a path). */
export function resolveServer(): Resolution {
  const raw = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>("server.path", "osler").trim() || "osler";
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const configured = expand(raw, folder);
  const looksLikePath = configured.includes("/") || configured.includes("\\");
  if (looksLikePath) {
    const absolute = path.isAbsolute(configured) ? configured : path.resolve(folder ?? process.cwd(), configured);
    if (isExecutable(absolute)) {
      return { found: true, command: absolute };
    }
    return {
      found: false,
      configured: raw,
      reason: `the language server \`${absolute}\` (setting \`${SERVER_PATH_SETTING}\`) does not exist or is not executable.`,
    };
  }
  const onPath = searchPath(configured);
  if (onPath) {
    return { found: true, command: onPath };
  }
  return {
    found: false,
    configured: raw,
    reason: `the language server \`${configured}\` was not found on PATH (setting \`${SERVER_PATH_SETTING}\`).`,
  };
}

function expand(value: string, folder: string | undefined): string {
  let expanded = value.replace(/\$\{userHome\}/g, os.homedir());
  if (folder) {
    expanded = expanded.replace(/\$\{workspaceFolder\}/g, folder);
  }
  if (expanded === "~" || expanded.startsWith("~/")) {
    expanded = path.join(os.homedir(), expanded.slice(1));
  }
  return expanded;
}

function searchPath(command: string): string | undefined {
  const directories = (process.env.PATH ?? "").split(path.delimiter).filter((entry) => entry.length > 0);
  const extensions = process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const directory of directories) {
    for (const extension of extensions) {
      const candidate = path.join(directory, command + extension);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
