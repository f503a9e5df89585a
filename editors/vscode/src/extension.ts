import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  ServerOptions,
} from 'vscode-languageclient/node';
import {
  CONFIG_SECTION,
  COMMANDS,
  REPORTS,
  REPORT_SCHEME,
  RESTART_SETTINGS,
  ReportDefinition,
  SerialCoalescer,
  ServerSettings,
  SettingsContext,
  answerConfigurationItem,
  buildServerSettings,
  checkFailureMessage,
  chooseInterpreter,
  classifyCheckFailure,
  CheckFailure,
  InterpreterChoice,
  documentSelector,
  importCheckArgs,
  installCommand,
  pythonForServer,
  pythonSettingSource,
  reportText,
  serverArgs,
  serverCwd,
  serverEnvAdditions,
  startDespiteCheckFailure,
} from './logic';
import { activeInterpreter, onActiveInterpreterChanged, pythonExtensionInstalled } from './python';

const CLIENT_ID = 'spoc';
const CLIENT_NAME = 'SPOC Language Server';
const IMPORT_CHECK_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3_000;

/** Read-only virtual documents holding the server's reports. */
class ReportProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '(no report yet: run the command again)\n';
  }

  set(uri: vscode.Uri, text: string): void {
    this.contents.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}

/** Runs `<python> -c "import spoc_lsp"`; resolves with the failure, or undefined when it worked. */
function checkServerImport(python: string, cwd: string, env: NodeJS.ProcessEnv): Promise<CheckFailure | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(
        python,
        importCheckArgs(),
        { cwd, env, timeout: IMPORT_CHECK_TIMEOUT_MS, windowsHide: true },
        (error, _stdout, stderr) => {
          if (error === null) {
            resolve(undefined);
            return;
          }
          resolve(
            classifyCheckFailure({
              code: (error as NodeJS.ErrnoException & { code?: string | number }).code,
              killed: error.killed,
              signal: error.signal,
              stderr: String(stderr),
              message: error.message,
            }),
          );
        },
      );
    } catch (error) {
      resolve(classifyCheckFailure({ code: (error as NodeJS.ErrnoException).code, message: String(error) }));
    }
  });
}

interface Launch {
  readonly python: string;
  readonly choice: InterpreterChoice;
  readonly trusted: boolean;
  readonly folder: vscode.WorkspaceFolder | undefined;
}

class SpocExtension implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly restarts = new SerialCoalescer();
  private readonly output: vscode.OutputChannel;
  private readonly trace: vscode.OutputChannel;
  private readonly reports = new ReportProvider();
  private readonly disposables: vscode.Disposable[] = [];
  private pythonWatch: vscode.Disposable | undefined;
  private disposed = false;
  /** Interpreter of the running server. */
  private runningPython: string | undefined;
  /** An unconditional restart was requested and has not started yet. */
  private forcePending = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel(CLIENT_NAME);
    this.trace = vscode.window.createOutputChannel(`${CLIENT_NAME} Trace`);
    this.disposables.push(this.output, this.trace, this.reports);
  }

  activate(): void {
    const { subscriptions } = this.context;
    subscriptions.push(
      this,
      vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this.reports),
      vscode.commands.registerCommand(COMMANDS.restartServer, () => this.restart('command')),
      vscode.commands.registerCommand(COMMANDS.showMergedPlugins, () => this.showReport(REPORTS.plugins)),
      vscode.commands.registerCommand(COMMANDS.showEnvironmentReport, () => this.showReport(REPORTS.environment)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (RESTART_SETTINGS.some((setting) => event.affectsConfiguration(setting))) {
          void this.restart('spoc.python changed');
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart('workspace trusted')),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.restart('workspace folders changed')),
      vscode.extensions.onDidChange(() => void this.watchPythonExtension()),
    );
    void this.watchPythonExtension();
    void this.restart('activation');
  }

  private log(message: string): void {
    this.output.appendLine(`[${new Date().toLocaleTimeString()}] ${message}`);
  }

  private folder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  /** Restarts the server when the Python extension's active interpreter changes. */
  private async watchPythonExtension(): Promise<void> {
    if (this.pythonWatch !== undefined || !pythonExtensionInstalled()) {
      return;
    }
    const watch = await onActiveInterpreterChanged(() => {
      const configured = vscode.workspace.getConfiguration(CONFIG_SECTION, this.folder()?.uri).get<string>('python');
      if (typeof configured === 'string' && configured.trim() !== '') {
        return; // spoc.python wins; the Python extension's choice does not matter.
      }
      void this.restart('the Python extension changed the active interpreter', true);
    }, (message) => this.log(message));
    if (watch === undefined) {
      return;
    }
    if (this.pythonWatch !== undefined || this.disposed) {
      watch.dispose();
      return;
    }
    this.pythonWatch = watch;
    this.disposables.push(watch);
  }

  /** Which settings file the `spoc.python` in force came from (for messages). */
  private pythonSettingSource(): string {
    const folder = this.folder();
    const inspected = vscode.workspace.getConfiguration(CONFIG_SECTION, folder?.uri).inspect<string>('python');
    const workspaceFile = vscode.workspace.workspaceFile;
    return pythonSettingSource(inspected, {
      workspaceFolder: folder?.uri.fsPath,
      workspaceFile: workspaceFile?.scheme === 'file' ? workspaceFile.fsPath : undefined,
      // globalStorageUri is <user data>/User/globalStorage/<extension id>.
      userDataDir: path.dirname(path.dirname(path.dirname(this.context.globalStorageUri.fsPath))),
      remote: vscode.env.remoteName !== undefined,
      platform: process.platform,
    });
  }

  private settingsContext(python: string | null): SettingsContext {
    return {
      trusted: vscode.workspace.isTrusted,
      python,
      workspaceFolder: this.folder()?.uri.fsPath,
      homeDir: os.homedir(),
      platform: process.platform,
    };
  }

  private currentSettings(python: string | null): ServerSettings {
    const raw = vscode.workspace.getConfiguration(CONFIG_SECTION, this.folder()?.uri);
    // A WorkspaceConfiguration is read through get(); copy the known keys.
    const section = {
      extraPaths: raw.get('extraPaths'),
      runtimeCheck: raw.get('runtimeCheck'),
      inlayHints: raw.get('inlayHints'),
      severity: raw.get('severity'),
    };
    return buildServerSettings(section, this.settingsContext(python));
  }

  /**
   * Stops the server (if any) and starts it again. Overlapping calls are
   * serialized and merged (SerialCoalescer). With `onlyIfInterpreterChanged`
   * nothing happens when the server already runs with the interpreter that
   * would be chosen now; a merged unconditional request wins.
   */
  restart(reason: string, onlyIfInterpreterChanged = false): Promise<void> {
    if (!onlyIfInterpreterChanged) {
      this.forcePending = true;
    }
    return this.restarts.schedule(async () => {
      const force = this.forcePending;
      this.forcePending = false;
      if (this.disposed) {
        return;
      }
      const launch = await this.chooseLaunch();
      if (!force && this.client?.isRunning() === true && this.runningPython === launch.python) {
        this.log(`Interpreter unchanged (${launch.python}); not restarting (${reason}).`);
        return;
      }
      this.log(`(Re)starting the server: ${reason}.`);
      await this.stopClient();
      await this.startClient(launch);
    });
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.runningPython = undefined;
    if (client === undefined) {
      return;
    }
    try {
      await client.dispose(STOP_TIMEOUT_MS);
    } catch (error) {
      this.log(`Stopping the server failed: ${String(error)}`);
    }
  }

  /** Decides which interpreter runs the server, and how. */
  private async chooseLaunch(): Promise<Launch> {
    const folder = this.folder();
    const trusted = vscode.workspace.isTrusted;
    const configured = vscode.workspace.getConfiguration(CONFIG_SECTION, folder?.uri).get<string>('python');
    const fromPythonExtension =
      trusted && !(typeof configured === 'string' && configured.trim() !== '')
        ? await activeInterpreter(folder?.uri, (message) => this.log(message))
        : undefined;
    const choice = chooseInterpreter({
      configured,
      pythonExtension: fromPythonExtension,
      workspaceFolder: folder?.uri.fsPath,
      homeDir: os.homedir(),
      platform: process.platform,
      trusted,
    });
    return { python: choice.command, choice, trusted, folder };
  }

  private async startClient(launch: Launch): Promise<void> {
    const { python, choice, trusted, folder } = launch;
    const platform = process.platform;
    this.runningPython = undefined;
    this.log(`Interpreter: ${python} (from ${choice.source})${choice.note ? ` — ${choice.note}` : ''}.`);
    if (!trusted) {
      this.log('The workspace is not trusted: the runtime check is off.');
    }

    // What the server is told about the interpreter (null: let it choose).
    const serverPython = pythonForServer(choice, trusted);

    const cwd = serverCwd({ trusted, workspaceFolder: folder?.uri.fsPath, extensionPath: this.context.extensionPath });
    const env: NodeJS.ProcessEnv = { ...process.env, ...serverEnvAdditions(trusted) };

    const failure = await checkServerImport(python, cwd, env);
    if (failure !== undefined) {
      const message = checkFailureMessage(python, failure, platform, this.pythonSettingSource());
      this.log(message);
      if (!startDespiteCheckFailure(failure)) {
        void this.offerFix(message, python);
        return;
      }
      void vscode.window.showWarningMessage(message);
    }

    // No `transport`: the client then talks over the process's stdin/stdout without appending
    // `--stdio` (which `TransportKind.stdio` would), so any spoc-lsp version starts.
    const serverOptions: ServerOptions = {
      command: python,
      args: serverArgs(),
      options: { cwd, env },
    };

    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(),
      synchronize: { configurationSection: CONFIG_SECTION },
      initializationOptions: this.currentSettings(serverPython),
      outputChannel: this.output,
      traceOutputChannel: this.trace,
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (result instanceof ResponseError || !Array.isArray(result)) {
              return result;
            }
            const ctx = this.settingsContext(serverPython);
            return params.items.map((item, index) => {
              const value: unknown = result[index];
              return answerConfigurationItem(item.section, value, ctx);
            });
          },
          // Push the same trust-aware settings as initializationOptions instead
          // of the raw configuration section.
          didChangeConfiguration: async () => {
            const running = this.client;
            // A change that restarts the server (spoc.python) must not be pushed to the server
            // being stopped: the new one gets the settings as initializationOptions.
            if (running === undefined || !running.isRunning() || this.forcePending || this.restarts.busy) {
              return;
            }
            await running.sendNotification(DidChangeConfigurationNotification.type, {
              settings: { [CONFIG_SECTION]: this.currentSettings(serverPython) },
            });
          },
        },
      },
    };

    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
      this.runningPython = python;
      this.log('The server is running.');
    } catch (error) {
      this.log(`The server failed to start: ${String(error)}`);
      void vscode.window.showErrorMessage(
        `SPOC: the spoc-lsp server failed to start with "${python}". See the "${CLIENT_NAME}" output for details.`,
      );
    }
  }

  private async offerFix(message: string, python: string): Promise<void> {
    const copy = 'Copy install command';
    const settings = 'Open Settings';
    const choice = await vscode.window.showErrorMessage(message, copy, settings);
    if (choice === copy) {
      await vscode.env.clipboard.writeText(installCommand(python, process.platform));
      void vscode.window.showInformationMessage('SPOC: install command copied to the clipboard.');
    } else if (choice === settings) {
      await vscode.commands.executeCommand('workbench.action.openSettings', `${CONFIG_SECTION}.python`);
    }
  }

  private async showReport(report: ReportDefinition): Promise<void> {
    await this.restarts.idle();
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      const restart = 'Restart Server';
      const choice = await vscode.window.showWarningMessage(
        `SPOC: the language server is not running, so the ${report.title} cannot be shown.`,
        restart,
      );
      if (choice === restart) {
        await this.restart('command');
      }
      return;
    }
    let result: unknown;
    try {
      result = await client.sendRequest(ExecuteCommandRequest.type, { command: report.serverCommand, arguments: [] });
    } catch (error) {
      this.log(`${report.serverCommand} failed: ${String(error)}`);
      void vscode.window.showErrorMessage(`SPOC: could not get the ${report.title}: ${String(error)}`);
      return;
    }
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: report.documentPath });
    this.reports.set(uri, reportText(result));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
  }

  async stop(): Promise<void> {
    await this.restarts.idle();
    await this.stopClient();
  }

  dispose(): void {
    this.disposed = true;
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }
}

let extension: SpocExtension | undefined;

export function activate(context: vscode.ExtensionContext): void {
  extension = new SpocExtension(context);
  extension.activate();
}

export async function deactivate(): Promise<void> {
  const current = extension;
  extension = undefined;
  if (current !== undefined) {
    await current.stop();
  }
}
