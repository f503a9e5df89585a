/**
 * Smoke test of the bundled extension (dist/extension.js) without VS Code:
 * `vscode` is replaced by a small stub, and the interpreter by a fake
 * `python` shell script that records how it was run and fails the
 * `import spoc_lsp` check. This covers activation, command registration, the
 * pre-start check, the error message and Workspace Trust handling of the
 * server process. Starting the real language client needs VS Code and is not
 * covered here.
 *
 * Needs `npm run build` first (npm run ci does that); skipped otherwise, and
 * on Windows (the fake interpreter is a shell script).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = path.resolve(__dirname, '..', '..');
const bundle = path.join(root, 'dist', 'extension.js');
const skip = !existsSync(bundle)
  ? 'dist/extension.js is missing (run npm run build)'
  : process.platform === 'win32'
    ? 'the fake interpreter is a shell script'
    : false;

type Listener = (...args: unknown[]) => unknown;

interface StubState {
  config: Record<string, unknown>;
  trusted: boolean;
  folder: string;
  errors: { message: string; items: string[] }[];
  warnings: string[];
  commands: Map<string, Listener>;
  providers: string[];
  configListeners: Listener[];
  clipboard: string;
  answer: string | undefined;
  pythonExtension: unknown;
  extensionListeners: Listener[];
}

const state: StubState = {
  config: {},
  trusted: true,
  folder: '',
  errors: [],
  warnings: [],
  commands: new Map(),
  providers: [],
  configListeners: [],
  clipboard: '',
  answer: undefined,
  pythonExtension: undefined,
  extensionListeners: [],
};

const disposable = { dispose: (): void => undefined };
const event = (listeners?: Listener[]) => (listener: Listener) => {
  listeners?.push(listener);
  return disposable;
};

class EventEmitter {
  private listeners: Listener[] = [];
  event = (listener: Listener): typeof disposable => {
    this.listeners.push(listener);
    return disposable;
  };
  fire(value: unknown): void {
    for (const listener of this.listeners) {
      listener(value);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

const explicit: Record<string, unknown> = {
  version: '1.82.0',
  EventEmitter,
  Disposable: class {
    static from(): typeof disposable {
      return disposable;
    }
    dispose(): void {
      return undefined;
    }
  },
  Uri: {
    file: (fsPath: string) => ({ scheme: 'file', fsPath, path: fsPath, toString: () => `file://${fsPath}` }),
    from: (parts: { scheme: string; path: string }) => ({ ...parts, toString: () => `${parts.scheme}:${parts.path}` }),
    parse: (value: string) => ({ toString: () => value }),
  },
  workspace: {
    get workspaceFolders() {
      return [{ index: 0, name: 'proj', uri: { scheme: 'file', fsPath: state.folder, path: state.folder } }];
    },
    get isTrusted() {
      return state.trusted;
    },
    getConfiguration: (section?: string) => ({
      get: (key: string) => state.config[section ? `${section}.${key}` : key],
      has: () => false,
      // Everything the stub holds counts as a User setting.
      inspect: (key: string) => ({ globalValue: state.config[section ? `${section}.${key}` : key] }),
      update: () => Promise.resolve(),
    }),
    registerTextDocumentContentProvider: (scheme: string) => {
      state.providers.push(scheme);
      return disposable;
    },
    onDidChangeConfiguration: event(state.configListeners),
    onDidGrantWorkspaceTrust: event(),
    onDidChangeWorkspaceFolders: event(),
    openTextDocument: () => Promise.resolve({}),
  },
  window: {
    createOutputChannel: (name: string) => ({
      name,
      append: () => undefined,
      appendLine: () => undefined,
      clear: () => undefined,
      show: () => undefined,
      hide: () => undefined,
      replace: () => undefined,
      dispose: () => undefined,
    }),
    showErrorMessage: (message: string, ...items: string[]) => {
      state.errors.push({ message, items });
      return Promise.resolve(state.answer);
    },
    showWarningMessage: (message: string) => {
      state.warnings.push(message);
      return Promise.resolve(undefined);
    },
    showInformationMessage: () => Promise.resolve(undefined),
    showTextDocument: () => Promise.resolve({}),
  },
  commands: {
    registerCommand: (id: string, callback: Listener) => {
      state.commands.set(id, callback);
      return disposable;
    },
    executeCommand: () => Promise.resolve(undefined),
  },
  extensions: {
    getExtension: (id: string) => (id === 'ms-python.python' ? state.pythonExtension : undefined),
    onDidChange: event(state.extensionListeners),
  },
  env: {
    clipboard: {
      writeText: (text: string) => {
        state.clipboard = text;
        return Promise.resolve();
      },
    },
  },
};

// Anything else vscode-languageclient touches while loading (classes it
// extends, enums) gets an empty class.
const vscodeStub: unknown = new Proxy(explicit, {
  get(target, property) {
    if (typeof property === 'string' && !(property in target)) {
      target[property] = class {};
    }
    return target[property as string];
  },
});

interface ExtensionModule {
  activate(context: {
    subscriptions: { dispose(): unknown }[];
    extensionPath: string;
    globalStorageUri: { fsPath: string };
  }): void;
  deactivate(): Promise<void>;
}

async function until(predicate: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('bundled extension (stubbed vscode)', { skip }, () => {
  let tmp = '';
  let fakePython = '';
  let record = '';
  let extensionPath = '';
  let ext: ExtensionModule;
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = loader._load;

  before(() => {
    tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'spoc-vscode-smoke-')));
    state.folder = path.join(tmp, 'proj');
    extensionPath = path.join(tmp, 'ext');
    record = path.join(tmp, 'record.txt');
    mkdirSync(state.folder);
    mkdirSync(extensionPath);
    // A fake interpreter (with a space in its path) that logs how it is run
    // and fails like a Python without the server package.
    fakePython = path.join(tmp, 'fake python');
    writeFileSync(
      fakePython,
      [
        '#!/bin/sh',
        `echo "args=$*|cwd=$(pwd)|safepath=\${PYTHONSAFEPATH:-}" >> "${record}"`,
        'echo "Traceback (most recent call last):" >&2',
        `echo "ModuleNotFoundError: No module named 'spoc_lsp'" >&2`,
        'exit 1',
        '',
      ].join('\n'),
    );
    chmodSync(fakePython, 0o755);

    loader._load = function (this: unknown, request: string, ...rest: unknown[]) {
      if (request === 'vscode') {
        return vscodeStub;
      }
      return originalLoad.call(this, request, ...rest);
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ext = require(bundle) as ExtensionModule;
  });

  after(async () => {
    await ext?.deactivate();
    loader._load = originalLoad;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('registers its commands and the report provider, then reports the missing server', async () => {
    state.config = { 'spoc.python': fakePython, 'spoc.runtimeCheck': 'onSave' };
    state.answer = 'Copy install command';
    const globalStorageUri = { fsPath: path.join(tmp, 'data', 'User', 'globalStorage', 'spoc.spoc-lsp') };
    ext.activate({ subscriptions: [], extensionPath, globalStorageUri });

    assert.deepEqual([...state.commands.keys()].sort(), [
      'spoc.restartServer',
      'spoc.showEnvironmentReport',
      'spoc.showMergedPlugins',
    ]);
    assert.deepEqual(state.providers, ['spoc-plugins']);

    await until(() => state.errors.length > 0, 'the missing-server error');
    const [error] = state.errors;
    assert.ok(error.message.includes('not installed'), error.message);
    assert.ok(error.message.includes(`"${fakePython}"`), error.message);
    const install = `'${fakePython}' -m pip install spoc-lsp`;
    assert.ok(error.message.includes(install), error.message);
    assert.deepEqual(error.items, ['Copy install command', 'Open Settings']);
    await until(() => state.clipboard !== '', 'the clipboard');
    assert.equal(state.clipboard, install);

    const calls = readFileSync(record, 'utf8').trim().split('\n');
    assert.deepEqual(calls, [`args=-c import spoc_lsp|cwd=${state.folder}|safepath=`]);
  });

  it('does not run the untrusted workspace as the working directory', async () => {
    state.errors = [];
    state.trusted = false;
    writeFileSync(record, '');
    await (state.commands.get('spoc.restartServer')?.() as Promise<void>);
    await until(() => state.errors.length > 0, 'the missing-server error');
    const calls = readFileSync(record, 'utf8').trim().split('\n');
    assert.deepEqual(calls, [`args=-c import spoc_lsp|cwd=${extensionPath}|safepath=1`]);
    state.trusted = true;
  });

  it('reports an interpreter that does not exist', async () => {
    state.errors = [];
    state.answer = undefined;
    state.config = { 'spoc.python': path.join(tmp, 'no-such-python') };
    for (const listener of state.configListeners) {
      listener({ affectsConfiguration: (section: string) => section === 'spoc.python' || section === 'spoc' });
    }
    await until(() => state.errors.length > 0, 'the not-found error');
    assert.match(state.errors[0].message, /was not found/);
    assert.ok(state.errors[0].message.includes(path.join(tmp, 'no-such-python')));
    const userSettings = path.join(tmp, 'data', 'User', 'settings.json');
    assert.ok(state.errors[0].message.includes(`"spoc.python" was read from the User settings (${userSettings})`));
  });

  it("uses the Python extension's interpreter and follows its changes", async () => {
    state.errors = [];
    state.config = {};
    writeFileSync(record, '');
    const envListeners: Listener[] = [];
    let active = '/the/env/folder';
    state.pythonExtension = {
      isActive: true,
      exports: {
        environments: {
          getActiveEnvironmentPath: () => ({ id: active, path: active }),
          resolveEnvironment: (env: { path: string }) =>
            Promise.resolve(env.path === '/the/env/folder' ? { executable: { uri: { fsPath: fakePython } } } : undefined),
          onDidChangeActiveEnvironmentPath: event(envListeners),
        },
      },
    };
    for (const listener of state.extensionListeners) {
      listener();
    }
    await until(() => envListeners.length === 1, 'the interpreter watch');
    await (state.commands.get('spoc.restartServer')?.() as Promise<void>);
    assert.equal(state.errors.length, 1);
    assert.ok(state.errors[0].message.includes(`"${fakePython}"`), state.errors[0].message);
    assert.equal(readFileSync(record, 'utf8').trim().split('\n').length, 1);

    // The Python extension switches to an environment it cannot resolve: its raw path is used.
    active = path.join(tmp, 'other-python');
    envListeners[0]({ id: active, path: active });
    await until(() => state.errors.length === 2, 'the second error');
    assert.match(state.errors[1].message, /was not found/);
    assert.ok(state.errors[1].message.includes(active), state.errors[1].message);
  });

  it('falls back to python3 from PATH when the Python extension fails', async () => {
    state.errors = [];
    writeFileSync(record, '');
    state.pythonExtension = {
      isActive: true,
      get exports(): unknown {
        throw new Error('broken');
      },
    };
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin);
    symlinkSync(fakePython, path.join(bin, 'python3'));
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;
    try {
      await (state.commands.get('spoc.restartServer')?.() as Promise<void>);
    } finally {
      process.env.PATH = savedPath;
    }
    assert.equal(state.errors.length, 1);
    assert.ok(state.errors[0].message.includes('"python3"'), state.errors[0].message);
    assert.ok(state.errors[0].message.includes('python3 -m pip install spoc-lsp'), state.errors[0].message);
    assert.equal(readFileSync(record, 'utf8').trim().split('\n').length, 1);
    state.pythonExtension = undefined;
  });

  it('explains that reports need a running server', async () => {
    state.warnings = [];
    await (state.commands.get('spoc.showMergedPlugins')?.() as Promise<void>);
    assert.equal(state.warnings.length, 1);
    assert.match(state.warnings[0], /not running/);
  });
});
