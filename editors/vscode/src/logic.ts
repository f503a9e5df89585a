/**
 * Pure logic of the SPOC extension.
 *
 * Nothing in this module may import `vscode`: it is compiled on its own and
 * unit-tested with node's built-in test runner (see `test/`). ESLint enforces
 * the rule (see `eslint.config.mjs`). Only node's `path` module is used, and
 * always through an explicit platform flavour so tests can cover Windows and
 * POSIX on any machine.
 */

import * as path from 'node:path';

// ---------------------------------------------------------------------------
// Identifiers shared by package.json, the extension and the server.
// ---------------------------------------------------------------------------

/** Configuration section of the extension and of the server. */
export const CONFIG_SECTION = 'spoc';

/** Python module the server runs as (`<python> -m spoc_lsp`). */
export const SERVER_MODULE = 'spoc_lsp';

/** Name of the server's distribution on PyPI. */
export const SERVER_DISTRIBUTION = 'spoc-lsp';

/** Extension id of Microsoft's Python extension. */
export const PYTHON_EXTENSION_ID = 'ms-python.python';

/** VS Code commands contributed by this extension. */
export const COMMANDS = {
  restartServer: 'spoc.restartServer',
  showMergedPlugins: 'spoc.showMergedPlugins',
  showEnvironmentReport: 'spoc.showEnvironmentReport',
} as const;

/** Scheme of the read-only virtual documents that show server reports. */
export const REPORT_SCHEME = 'spoc-plugins';

export interface ReportDefinition {
  /** workspace/executeCommand command implemented by the server. */
  readonly serverCommand: string;
  /** Path of the virtual document (its basename is the editor tab title). */
  readonly documentPath: string;
  /** Human-readable title, used in messages. */
  readonly title: string;
}

/** Reports the extension can show, keyed by the VS Code command that shows them. */
export const REPORTS: Readonly<Record<'plugins' | 'environment', ReportDefinition>> = {
  plugins: {
    serverCommand: 'spoc.showPlugins',
    documentPath: '/spoc-merged-plugins.txt',
    title: 'SPOC merged plugins',
  },
  environment: {
    serverCommand: 'spoc.showEnvironment',
    documentPath: '/spoc-environment.txt',
    title: 'SPOC environment',
  },
};

// ---------------------------------------------------------------------------
// Document selector
// ---------------------------------------------------------------------------

/** Glob patterns of the files the server is interested in. */
export const DOCUMENT_PATTERNS: readonly string[] = [
  '**/spoc.toml',
  // Every Python file: the settings module gets diagnostics, and the project's modules get
  // code lenses, references and rename; the server ignores Python files outside a project.
  '**/*.py',
];

export interface FilePatternFilter {
  readonly scheme: 'file';
  readonly pattern: string;
}

/**
 * Document selector for the language client. The patterns are slightly broad
 * (any `settings.py`); the server ignores files that are not the settings
 * module of a SPOC project.
 */
export function documentSelector(): FilePatternFilter[] {
  return DOCUMENT_PATTERNS.map((pattern) => ({ scheme: 'file', pattern }));
}

// ---------------------------------------------------------------------------
// Platform helpers
// ---------------------------------------------------------------------------

function pathFor(platform: string): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** True when `child` is `parent` or lies below it. */
export function isInside(child: string, parent: string, platform: string): boolean {
  const p = pathFor(platform);
  const norm = (s: string): string => {
    const resolved = p.resolve(s);
    return platform === 'win32' ? resolved.toLowerCase() : resolved;
  };
  const rel = p.relative(norm(parent), norm(child));
  return rel === '' || (!rel.startsWith('..') && !p.isAbsolute(rel));
}

export interface ExpandContext {
  readonly workspaceFolder?: string;
  readonly homeDir?: string;
  readonly platform: string;
}

/**
 * Expands `${workspaceFolder}`, `${userHome}` and a leading `~` in a
 * user-supplied path. Returns `undefined` when the value needs a workspace
 * folder and there is none.
 */
export function expandPath(value: string, ctx: ExpandContext): string | undefined {
  let missing = false;
  let out = value.replace(/\$\{(workspaceFolder|userHome)\}/g, (_m, name: string) => {
    const replacement = name === 'workspaceFolder' ? ctx.workspaceFolder : ctx.homeDir;
    if (replacement === undefined) {
      missing = true;
      return '';
    }
    return replacement;
  });
  if (missing) {
    return undefined;
  }
  if (ctx.homeDir !== undefined && (out === '~' || out.startsWith('~/') || out.startsWith('~\\'))) {
    out = pathFor(ctx.platform).join(ctx.homeDir, out.slice(1));
  }
  return out;
}

/** True when the value is a path (has a separator) rather than a bare command name. */
function looksLikePath(value: string, platform: string): boolean {
  return value.includes('/') || (platform === 'win32' && value.includes('\\'));
}

// ---------------------------------------------------------------------------
// Interpreter choice
// ---------------------------------------------------------------------------

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface PythonExtensionInterpreter {
  /** Executable of the resolved active environment, when it could be resolved. */
  readonly executable?: string;
  /** Raw active environment path (may be a folder or a bare command). */
  readonly environmentPath?: string;
}

export interface InterpreterInputs {
  /** Raw value of the `spoc.python` setting. */
  readonly configured?: unknown;
  /** What the Python extension reported, if it is installed and answered. */
  readonly pythonExtension?: PythonExtensionInterpreter;
  readonly workspaceFolder?: string;
  readonly homeDir?: string;
  readonly platform: string;
  /** Workspace Trust state; untrusted workspaces never run a workspace-provided interpreter. */
  readonly trusted: boolean;
}

export interface InterpreterChoice {
  readonly command: string;
  readonly source: InterpreterSource;
  /** Why a preferred source was skipped (for the log), if it was. */
  readonly note?: string;
}

/** The interpreter used when nothing else is known. */
export function defaultInterpreter(platform: string): string {
  return platform === 'win32' ? 'python' : 'python3';
}

/**
 * Picks the interpreter that runs the server: the `spoc.python` setting, else
 * the Python extension's active interpreter, else `python3` (`python` on
 * Windows). In an untrusted workspace the Python extension is not consulted
 * and an interpreter located inside the workspace folder is refused.
 */
export function chooseInterpreter(inputs: InterpreterInputs): InterpreterChoice {
  const { platform, workspaceFolder, trusted } = inputs;
  const p = pathFor(platform);
  const notes: string[] = [];

  const insideWorkspace = (candidate: string): boolean =>
    workspaceFolder !== undefined && looksLikePath(candidate, platform) && isInside(candidate, workspaceFolder, platform);

  if (typeof inputs.configured === 'string' && inputs.configured.trim() !== '') {
    let value = expandPath(inputs.configured.trim(), inputs);
    if (value === undefined) {
      notes.push(`spoc.python "${inputs.configured}" refers to \${workspaceFolder} but no folder is open`);
    } else {
      if (looksLikePath(value, platform) && !p.isAbsolute(value) && workspaceFolder !== undefined) {
        value = p.resolve(workspaceFolder, value);
      }
      if (!trusted && insideWorkspace(value)) {
        notes.push(`spoc.python "${value}" is inside the untrusted workspace and was ignored`);
      } else {
        return { command: value, source: 'setting' };
      }
    }
  }

  if (!trusted) {
    notes.push('the Python extension is not consulted in an untrusted workspace');
  } else if (inputs.pythonExtension !== undefined) {
    const fromExtension = [inputs.pythonExtension.executable, inputs.pythonExtension.environmentPath].find(
      (candidate): candidate is string => typeof candidate === 'string' && candidate.trim() !== '',
    );
    if (fromExtension !== undefined) {
      return { command: fromExtension.trim(), source: 'python-extension', ...noteOf(notes) };
    }
    notes.push('the Python extension reported no active interpreter');
  }

  return { command: defaultInterpreter(platform), source: 'default', ...noteOf(notes) };
}

function noteOf(notes: string[]): { note?: string } {
  return notes.length > 0 ? { note: notes.join('; ') } : {};
}

/** Working directory of the server process. */
export function serverCwd(opts: { trusted: boolean; workspaceFolder?: string; extensionPath: string }): string {
  // `python -m`/`-c` put the working directory first on sys.path. In an
  // untrusted workspace it must not be the workspace, or a folder named
  // `spoc_lsp` there would run instead of the installed server.
  if (opts.trusted && opts.workspaceFolder !== undefined) {
    return opts.workspaceFolder;
  }
  return opts.extensionPath;
}

/** Environment additions for the server process (merged over process.env). */
export function serverEnvAdditions(trusted: boolean): Record<string, string> {
  // PYTHONSAFEPATH (Python 3.11+) keeps the working directory off sys.path.
  return trusted ? {} : { PYTHONSAFEPATH: '1' };
}

/** Arguments that start the server with an interpreter. */
export function serverArgs(): string[] {
  return ['-m', SERVER_MODULE];
}

/** Arguments of the pre-start check that the interpreter has the server package. */
export function importCheckArgs(): string[] {
  return ['-c', `import ${SERVER_MODULE}`];
}

// ---------------------------------------------------------------------------
// Settings sent to the server
// ---------------------------------------------------------------------------

export type Severity = 'error' | 'warning' | 'information' | 'hint' | 'off';
export type RuntimeCheck = 'off' | 'onSave';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint', 'off'];
export const RUNTIME_CHECKS: readonly RuntimeCheck[] = ['off', 'onSave'];

/** What the server receives as initializationOptions and for the `spoc` section. */
export interface ServerSettings {
  /** Interpreter whose sys.path the server searches; null lets the server choose. */
  python: string | null;
  extraPaths: string[];
  runtimeCheck: RuntimeCheck;
  inlayHints: boolean;
  severity: Record<string, Severity>;
  /** Workspace Trust state; the server refuses runtime checks when false. */
  trusted: boolean;
}

/** Settings the user can set (contributed in package.json as `spoc.<key>`). */
export const USER_SETTING_KEYS = ['python', 'extraPaths', 'runtimeCheck', 'inlayHints', 'severity'] as const;

/** Keys of {@link ServerSettings}: the user settings plus the trust state. */
export const SERVER_SETTING_KEYS: readonly (keyof ServerSettings)[] = [...USER_SETTING_KEYS, 'trusted'];

export interface SettingsContext extends ExpandContext {
  readonly trusted: boolean;
  /** The `python` value sent to the server (see {@link pythonForServer}). */
  readonly python: string | null;
}

/**
 * The `python` value sent to the server for an interpreter choice.
 *
 * An explicit choice (the setting or the Python extension) is sent as is.
 * When the extension merely fell back to `python3`, nothing is sent in a
 * trusted workspace, so that the server applies its own default ($VIRTUAL_ENV,
 * else `.venv`/`venv` in the project root, else its own interpreter). In an
 * untrusted workspace the interpreter running the server is always sent, so
 * that the server never picks an interpreter out of the workspace.
 */
export function pythonForServer(choice: InterpreterChoice, trusted: boolean): string | null {
  if (choice.source !== 'default' || !trusted) {
    return choice.command;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeSeverity(raw: unknown): Record<string, Severity> {
  const result: Record<string, Severity> = {};
  if (!isRecord(raw)) {
    return result;
  }
  for (const [key, value] of Object.entries(raw)) {
    const code = key.trim().toUpperCase();
    if (code === '' || typeof value !== 'string') {
      continue;
    }
    const level = value.trim().toLowerCase();
    const severity = level === 'info' ? 'information' : level;
    if ((SEVERITIES as readonly string[]).includes(severity)) {
      result[code] = severity as Severity;
    }
  }
  return result;
}

/**
 * Turns the raw `spoc` configuration section into what the server receives.
 * Invalid values fall back to their defaults; `python` comes from the
 * context (see {@link pythonForServer}), not from the raw section; in an
 * untrusted workspace `runtimeCheck` is always `"off"` (the runtime check
 * imports project code) and `trusted` is false.
 */
export function buildServerSettings(raw: unknown, ctx: SettingsContext): ServerSettings {
  const section = isRecord(raw) ? raw : {};

  const extraPaths: string[] = [];
  if (Array.isArray(section.extraPaths)) {
    for (const entry of section.extraPaths) {
      if (typeof entry !== 'string' || entry.trim() === '') {
        continue;
      }
      const expanded = expandPath(entry.trim(), ctx);
      if (expanded !== undefined && !extraPaths.includes(expanded)) {
        extraPaths.push(expanded);
      }
    }
  }

  const requested = section.runtimeCheck;
  const runtimeCheck: RuntimeCheck =
    ctx.trusted && typeof requested === 'string' && (RUNTIME_CHECKS as readonly string[]).includes(requested)
      ? (requested as RuntimeCheck)
      : 'off';

  return {
    python: ctx.python,
    extraPaths,
    runtimeCheck,
    inlayHints: typeof section.inlayHints === 'boolean' ? section.inlayHints : true,
    severity: normalizeSeverity(section.severity),
    trusted: ctx.trusted,
  };
}

/**
 * Answers one item of a workspace/configuration request from the server.
 * `raw` is what VS Code holds for `section`; the answer applies the same
 * rules as {@link buildServerSettings} (trust included). Sections outside
 * `spoc` are passed through untouched.
 */
export function answerConfigurationItem(section: string | undefined, raw: unknown, ctx: SettingsContext): unknown {
  if (section === CONFIG_SECTION) {
    return buildServerSettings(raw, ctx);
  }
  if (section !== undefined && section.startsWith(`${CONFIG_SECTION}.`)) {
    const key = section.slice(CONFIG_SECTION.length + 1);
    if ((SERVER_SETTING_KEYS as readonly string[]).includes(key)) {
      return buildServerSettings({ [key]: raw }, ctx)[key as keyof ServerSettings];
    }
  }
  return raw;
}

/** Settings whose change needs a new server process rather than a configuration push. */
export const RESTART_SETTINGS: readonly string[] = [`${CONFIG_SECTION}.python`];

// ---------------------------------------------------------------------------
// Pre-start check: is the server installed for the interpreter?
// ---------------------------------------------------------------------------

/** What child_process.execFile reports (only the fields that matter here). */
export interface ExecFailure {
  readonly code?: string | number | null;
  readonly killed?: boolean;
  readonly signal?: string | null;
  readonly stderr?: string;
  readonly message?: string;
}

export type CheckFailure =
  | { readonly kind: 'interpreter-not-found' }
  | { readonly kind: 'module-missing' }
  | { readonly kind: 'import-failed'; readonly detail: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'other'; readonly detail: string };

function lastLine(text: string | undefined): string {
  const lines = (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.length > 0 ? lines[lines.length - 1] : '';
}

/** Classifies a failed `<python> -c "import spoc_lsp"`. */
export function classifyCheckFailure(error: ExecFailure): CheckFailure {
  if (error.code === 'ENOENT' || error.code === 'EACCES' || error.code === 'ENOTDIR') {
    return { kind: 'interpreter-not-found' };
  }
  if (error.killed === true || error.code === 'ETIMEDOUT') {
    return { kind: 'timeout' };
  }
  const stderr = error.stderr ?? '';
  const missing = new RegExp(`No module named '?${SERVER_MODULE}'?(\\s|$)`);
  if (missing.test(stderr)) {
    return { kind: 'module-missing' };
  }
  if (typeof error.code === 'number') {
    return { kind: 'import-failed', detail: lastLine(stderr) || `exit code ${error.code}` };
  }
  return { kind: 'other', detail: lastLine(stderr) || error.message || 'unknown error' };
}

/** Whether the server should still be started after a failed check. */
export function startDespiteCheckFailure(failure: CheckFailure): boolean {
  // A slow interpreter (first run, network file system) is not proof that
  // the package is missing: try to start it anyway.
  return failure.kind === 'timeout';
}

/** Quotes an argument for a shell command line the user can paste. */
export function shellQuote(arg: string, platform: string): string {
  if (/^[A-Za-z0-9_@%+=:,./\\-]+$/.test(arg)) {
    return arg;
  }
  if (platform === 'win32') {
    return `"${arg.replace(/"/g, '""')}"`;
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command that installs the server for an interpreter. */
export function installCommand(python: string, platform: string): string {
  const exe = shellQuote(python, platform);
  // PowerShell needs the call operator to run a quoted path.
  const prefix = platform === 'win32' && exe.startsWith('"') ? '& ' : '';
  return `${prefix}${exe} -m pip install ${SERVER_DISTRIBUTION}`;
}

// ---------------------------------------------------------------------------
// Where the `spoc.python` value came from
// ---------------------------------------------------------------------------

/** The values of one setting at each level, as `WorkspaceConfiguration.inspect` reports them. */
export interface InspectedSetting {
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

export interface SettingsFiles {
  /** The first workspace folder, whose `.vscode/settings.json` holds folder settings. */
  readonly workspaceFolder?: string;
  /** The `.code-workspace` file of a multi-root workspace, if one is open. */
  readonly workspaceFile?: string;
  /** VS Code's user data directory where the extension host runs (holds `User/` and `Machine/`). */
  readonly userDataDir?: string;
  /** Whether the window is a remote one (SSH, WSL, containers, code-server). */
  readonly remote: boolean;
  readonly platform: string;
}

function isSet(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * Which settings file supplied the value of `spoc.python`, in words a user can act on, e.g.
 * `the workspace settings (/p/.vscode/settings.json)`. The most specific level wins, as in VS
 * Code. In a remote window a machine-overridable setting is read from the Remote settings
 * (`<data>/Machine/settings.json`), never from the local User settings.
 */
export function pythonSettingSource(inspected: InspectedSetting | undefined, files: SettingsFiles): string {
  const p = pathFor(files.platform);
  const folderFile = files.workspaceFolder !== undefined ? p.join(files.workspaceFolder, '.vscode', 'settings.json') : undefined;
  const at = (label: string, file: string | undefined): string => (file !== undefined ? `${label} (${file})` : label);
  // With one folder open (no .code-workspace file) both levels are that folder's settings file.
  if (files.workspaceFile === undefined) {
    if (isSet(inspected?.workspaceFolderValue) || isSet(inspected?.workspaceValue)) {
      return at('the workspace settings', folderFile);
    }
  } else if (isSet(inspected?.workspaceFolderValue)) {
    return at('the workspace folder settings', folderFile);
  } else if (isSet(inspected?.workspaceValue)) {
    return at('the workspace file', files.workspaceFile);
  }
  if (isSet(inspected?.globalValue)) {
    if (files.remote) {
      return at('the Remote settings', files.userDataDir && p.join(files.userDataDir, 'Machine', 'settings.json'));
    }
    return at('the User settings', files.userDataDir && p.join(files.userDataDir, 'User', 'settings.json'));
  }
  return 'no settings file ("spoc.python" is not set)';
}

/** The message shown when the server cannot be started with an interpreter. */
export function checkFailureMessage(
  python: string,
  failure: CheckFailure,
  platform: string,
  settingSource?: string,
): string {
  const install = installCommand(python, platform);
  const other = 'or set "spoc.python" to an interpreter that has it';
  switch (failure.kind) {
    case 'interpreter-not-found':
      return (
        `SPOC: the Python interpreter "${python}" was not found, so the spoc-lsp server cannot start` +
        (settingSource !== undefined ? ` ("spoc.python" was read from ${settingSource})` : '') +
        `. Set "spoc.python" to a Python interpreter (or select one with the Python extension), ` +
        `then install the server in it: ${install}`
      );
    case 'module-missing':
      return (
        `SPOC: the spoc-lsp server is not installed for the Python interpreter "${python}" ` +
        `(import ${SERVER_MODULE} failed). Install it with: ${install} — ${other}.`
      );
    case 'import-failed':
      return (
        `SPOC: the Python interpreter "${python}" cannot import the spoc-lsp server (${failure.detail}). ` +
        `Reinstall it with: ${install} — ${other}.`
      );
    case 'timeout':
      return `SPOC: checking whether "${python}" has the spoc-lsp server timed out; starting it anyway.`;
    case 'other':
      return (
        `SPOC: could not run the Python interpreter "${python}" (${failure.detail}). ` +
        `If the spoc-lsp server is missing, install it with: ${install} — ${other}.`
      );
  }
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

/**
 * Text shown for a server report: the `text` member when the server provides
 * one, a string result as is, anything else as pretty-printed JSON.
 */
export function reportText(result: unknown): string {
  if (result === null || result === undefined) {
    return '(the server returned no result)\n';
  }
  if (typeof result === 'string') {
    return result.endsWith('\n') ? result : `${result}\n`;
  }
  if (isRecord(result) && typeof result.text === 'string') {
    return result.text.endsWith('\n') ? result.text : `${result.text}\n`;
  }
  return `${JSON.stringify(result, null, 2)}\n`;
}

// ---------------------------------------------------------------------------
// Async helpers
// ---------------------------------------------------------------------------

/**
 * Runs tasks one at a time. A task scheduled while another one is still
 * waiting to start is merged into it (both callers get the same promise):
 * every task here means "make the server match the current state", so
 * running one is as good as running several. A failing task does not block
 * the ones after it.
 */
export class SerialCoalescer {
  private tail: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;
  private running = 0;

  schedule(task: () => Promise<void>): Promise<void> {
    if (this.waiting !== undefined) {
      return this.waiting;
    }
    const run = this.tail.then(async () => {
      this.waiting = undefined;
      this.running++;
      try {
        await task();
      } finally {
        this.running--;
      }
    });
    this.waiting = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every task scheduled so far has settled. */
  idle(): Promise<void> {
    return this.tail;
  }

  /** Whether a task is running right now. */
  get busy(): boolean {
    return this.running > 0;
  }
}

/** Resolves with the promise's value, or with `fallback` after `ms` milliseconds. */
export async function withTimeout<T, F>(promise: PromiseLike<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([Promise.resolve(promise), timeout]);
  } finally {
    if (timer !== undefined) {
      clearTimeout(timer);
    }
  }
}
