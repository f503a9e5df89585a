import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minimatch } from 'minimatch';
import {
  DOCUMENT_PATTERNS,
  SerialCoalescer,
  answerConfigurationItem,
  buildServerSettings,
  checkFailureMessage,
  chooseInterpreter,
  classifyCheckFailure,
  defaultInterpreter,
  documentSelector,
  expandPath,
  importCheckArgs,
  pythonSettingSource,
  installCommand,
  isInside,
  pythonForServer,
  reportText,
  serverArgs,
  serverCwd,
  serverEnvAdditions,
  shellQuote,
  startDespiteCheckFailure,
  withTimeout,
  type SettingsContext,
} from '../src/logic';

const posix = { platform: 'linux', homeDir: '/home/ana', workspaceFolder: '/home/ana/proj' } as const;

describe('chooseInterpreter', () => {
  it('prefers the spoc.python setting', () => {
    const choice = chooseInterpreter({
      ...posix,
      trusted: true,
      configured: '/opt/py/bin/python',
      pythonExtension: { executable: '/usr/bin/python3.12' },
    });
    assert.deepEqual(choice, { command: '/opt/py/bin/python', source: 'setting' });
  });

  it('expands ${workspaceFolder}, ~ and relative paths in the setting', () => {
    assert.equal(
      chooseInterpreter({ ...posix, trusted: true, configured: '${workspaceFolder}/.venv/bin/python' }).command,
      '/home/ana/proj/.venv/bin/python',
    );
    assert.equal(chooseInterpreter({ ...posix, trusted: true, configured: '~/py/bin/python' }).command, '/home/ana/py/bin/python');
    assert.equal(chooseInterpreter({ ...posix, trusted: true, configured: '.venv/bin/python' }).command, '/home/ana/proj/.venv/bin/python');
  });

  it('keeps a bare command name for PATH lookup', () => {
    assert.equal(chooseInterpreter({ ...posix, trusted: true, configured: ' python3.12 ' }).command, 'python3.12');
  });

  it('uses the Python extension when the setting is empty', () => {
    const choice = chooseInterpreter({
      ...posix,
      trusted: true,
      configured: '  ',
      pythonExtension: { executable: '/home/ana/proj/.venv/bin/python', environmentPath: '/home/ana/proj/.venv' },
    });
    assert.deepEqual(choice, { command: '/home/ana/proj/.venv/bin/python', source: 'python-extension' });
  });

  it('falls back to the raw environment path when the Python extension could not resolve it', () => {
    const choice = chooseInterpreter({ ...posix, trusted: true, pythonExtension: { environmentPath: '/usr/bin/python3' } });
    assert.deepEqual(choice, { command: '/usr/bin/python3', source: 'python-extension' });
  });

  it('falls back to python3 (python on Windows) otherwise', () => {
    assert.deepEqual(chooseInterpreter({ ...posix, trusted: true }), { command: 'python3', source: 'default' });
    const empty = chooseInterpreter({ ...posix, trusted: true, configured: 42, pythonExtension: { executable: '' } });
    assert.equal(empty.command, 'python3');
    assert.equal(empty.source, 'default');
    assert.match(empty.note ?? '', /reported no active interpreter/);
    assert.equal(chooseInterpreter({ platform: 'win32', trusted: true }).command, 'python');
    assert.equal(defaultInterpreter('darwin'), 'python3');
  });

  it('needs a folder for ${workspaceFolder}', () => {
    const choice = chooseInterpreter({ platform: 'linux', trusted: true, configured: '${workspaceFolder}/.venv/bin/python' });
    assert.equal(choice.source, 'default');
    assert.match(choice.note ?? '', /no folder is open/);
  });

  it('never runs a workspace-provided interpreter in an untrusted workspace', () => {
    const inside = chooseInterpreter({
      ...posix,
      trusted: false,
      configured: '${workspaceFolder}/.venv/bin/python',
      pythonExtension: { executable: '/home/ana/proj/.venv/bin/python' },
    });
    assert.equal(inside.command, 'python3');
    assert.equal(inside.source, 'default');
    assert.match(inside.note ?? '', /untrusted/);

    const outside = chooseInterpreter({ ...posix, trusted: false, configured: '/opt/py/bin/python' });
    assert.deepEqual(outside, { command: '/opt/py/bin/python', source: 'setting' });

    const extension = chooseInterpreter({ ...posix, trusted: false, pythonExtension: { executable: '/usr/bin/python3.12' } });
    assert.equal(extension.source, 'default');
  });

  it('handles Windows paths', () => {
    const choice = chooseInterpreter({
      platform: 'win32',
      trusted: true,
      workspaceFolder: 'C:\\work\\proj',
      homeDir: 'C:\\Users\\ana',
      configured: '.venv\\Scripts\\python.exe',
    });
    assert.equal(choice.command, 'C:\\work\\proj\\.venv\\Scripts\\python.exe');
    const untrusted = chooseInterpreter({
      platform: 'win32',
      trusted: false,
      workspaceFolder: 'C:\\work\\proj',
      configured: 'c:\\WORK\\proj\\.venv\\Scripts\\python.exe',
    });
    assert.equal(untrusted.source, 'default');
  });
});

describe('pythonForServer', () => {
  it('sends explicit choices and lets the server choose after a fallback', () => {
    assert.equal(pythonForServer({ command: '/opt/py', source: 'setting' }, true), '/opt/py');
    assert.equal(pythonForServer({ command: '/venv/bin/python', source: 'python-extension' }, true), '/venv/bin/python');
    assert.equal(pythonForServer({ command: 'python3', source: 'default' }, true), null);
  });
  it('always names the interpreter in an untrusted workspace', () => {
    assert.equal(pythonForServer({ command: 'python3', source: 'default' }, false), 'python3');
  });
});

describe('path helpers', () => {
  it('isInside', () => {
    assert.equal(isInside('/a/b/c', '/a/b', 'linux'), true);
    assert.equal(isInside('/a/b', '/a/b', 'linux'), true);
    assert.equal(isInside('/a/bc', '/a/b', 'linux'), false);
    assert.equal(isInside('/a/b/../x', '/a/b', 'linux'), false);
    assert.equal(isInside('D:\\a\\b', 'C:\\a', 'win32'), false);
  });

  it('expandPath', () => {
    assert.equal(expandPath('${userHome}/x', posix), '/home/ana/x');
    assert.equal(expandPath('~', posix), '/home/ana');
    assert.equal(expandPath('a~b', posix), 'a~b');
    assert.equal(expandPath('${workspaceFolder}/src', { platform: 'linux' }), undefined);
  });
});

describe('server process', () => {
  it('runs <python> -m spoc_lsp and checks with -c "import spoc_lsp"', () => {
    assert.deepEqual(serverArgs(), ['-m', 'spoc_lsp']);
    assert.deepEqual(importCheckArgs(), ['-c', 'import spoc_lsp']);
  });

  it('keeps an untrusted workspace off sys.path', () => {
    assert.equal(serverCwd({ trusted: true, workspaceFolder: '/w', extensionPath: '/ext' }), '/w');
    assert.equal(serverCwd({ trusted: false, workspaceFolder: '/w', extensionPath: '/ext' }), '/ext');
    assert.equal(serverCwd({ trusted: true, extensionPath: '/ext' }), '/ext');
    assert.deepEqual(serverEnvAdditions(true), {});
    assert.deepEqual(serverEnvAdditions(false), { PYTHONSAFEPATH: '1' });
  });
});

describe('documentSelector', () => {
  const selector = documentSelector();

  it('selects file-scheme documents by pattern', () => {
    assert.ok(selector.length >= 2);
    for (const filter of selector) {
      assert.equal(filter.scheme, 'file');
    }
    assert.deepEqual(
      selector.map((f) => f.pattern),
      [...DOCUMENT_PATTERNS],
    );
    assert.ok(DOCUMENT_PATTERNS.includes('**/spoc.toml'));
  });

  const matches = (file: string): boolean => selector.some((f) => minimatch(file, f.pattern, { dot: true }));

  for (const file of [
    '/home/ana/proj/spoc.toml',
    '/home/ana/proj/config/spoc.toml',
    '/home/ana/proj/config/settings.py',
    '/home/ana/proj/conf/configuration.py',
    '/home/ana/proj/settings.py',
    '/home/ana/proj/config.py',
    '/home/ana/proj/config/settings/__init__.py',
    '/home/ana/proj/conf/config/__init__.py',
    '/home/ana/.hidden/proj/config/settings.py',
    '/home/ana/proj/apps/blog/__init__.py',
    '/home/ana/proj/main.py',
  ]) {
    it(`selects ${file}`, () => assert.equal(matches(file), true));
  }

  for (const file of [
    '/home/ana/proj/pyproject.toml',
    '/home/ana/proj/config/other.toml',
    '/home/ana/proj/README.md',
  ]) {
    it(`ignores ${file}`, () => assert.equal(matches(file), false));
  }
});

describe('buildServerSettings', () => {
  const trusted: SettingsContext = { ...posix, trusted: true, python: '/usr/bin/python3' };
  const untrusted: SettingsContext = { ...trusted, trusted: false };

  it('fills defaults', () => {
    assert.deepEqual(buildServerSettings(undefined, trusted), {
      python: '/usr/bin/python3',
      extraPaths: [],
      runtimeCheck: 'off',
      inlayHints: true,
      severity: {},
      trusted: true,
    });
  });

  it('passes valid values through', () => {
    const settings = buildServerSettings(
      {
        python: 'ignored: the running interpreter is sent',
        extraPaths: ['src', '${workspaceFolder}/lib', '', 3, 'src'],
        runtimeCheck: 'onSave',
        inlayHints: false,
        severity: { SPOC00: 'warning', spoc002: 'Error', SPOC009: 'off', SPOC003: 'info', SPOC004: 'loud', SPOC005: 1 },
        trace: { server: 'verbose' },
      },
      trusted,
    );
    assert.deepEqual(settings, {
      python: '/usr/bin/python3',
      extraPaths: ['src', '/home/ana/proj/lib'],
      runtimeCheck: 'onSave',
      inlayHints: false,
      severity: { SPOC00: 'warning', SPOC002: 'error', SPOC009: 'off', SPOC003: 'information' },
      trusted: true,
    });
  });

  it('forces runtimeCheck off in an untrusted workspace and tells the server', () => {
    const settings = buildServerSettings({ runtimeCheck: 'onSave', trusted: true }, untrusted);
    assert.equal(settings.runtimeCheck, 'off');
    assert.equal(settings.trusted, false);
  });

  it('sends python: null to let the server choose', () => {
    assert.equal(buildServerSettings({ python: '/x' }, { ...trusted, python: null }).python, null);
  });

  it('rejects unknown runtimeCheck values and wrong types', () => {
    const settings = buildServerSettings({ runtimeCheck: 'always', inlayHints: 'no', extraPaths: 'src', severity: [] }, trusted);
    assert.equal(settings.runtimeCheck, 'off');
    assert.equal(settings.inlayHints, true);
    assert.deepEqual(settings.extraPaths, []);
    assert.deepEqual(settings.severity, {});
  });

  it('answers workspace/configuration items with the same rules', () => {
    assert.deepEqual(answerConfigurationItem('spoc', { runtimeCheck: 'onSave' }, untrusted), buildServerSettings({}, untrusted));
    assert.equal(answerConfigurationItem('spoc.runtimeCheck', 'onSave', untrusted), 'off');
    assert.equal(answerConfigurationItem('spoc.runtimeCheck', 'onSave', trusted), 'onSave');
    assert.equal(answerConfigurationItem('spoc.python', '', trusted), '/usr/bin/python3');
    assert.equal(answerConfigurationItem('spoc.trusted', true, untrusted), false);
    assert.deepEqual(answerConfigurationItem('spoc.severity', { spoc001: 'hint' }, trusted), { SPOC001: 'hint' });
    assert.deepEqual(answerConfigurationItem('spoc.trace', { server: 'off' }, trusted), { server: 'off' });
    assert.deepEqual(answerConfigurationItem('python', { a: 1 }, untrusted), { a: 1 });
    assert.equal(answerConfigurationItem(undefined, 5, trusted), 5);
  });
});

describe('missing server', () => {
  it('classifies execFile failures', () => {
    assert.deepEqual(classifyCheckFailure({ code: 'ENOENT' }), { kind: 'interpreter-not-found' });
    assert.deepEqual(classifyCheckFailure({ code: null, killed: true, signal: 'SIGTERM' }), { kind: 'timeout' });
    assert.deepEqual(
      classifyCheckFailure({
        code: 1,
        stderr: 'Traceback (most recent call last):\n  File "<string>", line 1, in <module>\nModuleNotFoundError: No module named \'spoc_lsp\'\n',
      }),
      { kind: 'module-missing' },
    );
    assert.deepEqual(classifyCheckFailure({ code: 1, stderr: 'ImportError: No module named spoc_lsp\n' }), { kind: 'module-missing' });
    assert.deepEqual(
      classifyCheckFailure({ code: 1, stderr: "Traceback ...\nModuleNotFoundError: No module named 'pygls'\n" }),
      { kind: 'import-failed', detail: "ModuleNotFoundError: No module named 'pygls'" },
    );
    assert.deepEqual(
      classifyCheckFailure({ code: 1, stderr: "ModuleNotFoundError: No module named 'spoc_lsp.server'\n" }),
      { kind: 'import-failed', detail: "ModuleNotFoundError: No module named 'spoc_lsp.server'" },
    );
    assert.deepEqual(classifyCheckFailure({ code: 3 }), { kind: 'import-failed', detail: 'exit code 3' });
    assert.deepEqual(classifyCheckFailure({ message: 'spawn EPERM' }), { kind: 'other', detail: 'spawn EPERM' });
  });

  it('only starts anyway after a timeout', () => {
    assert.equal(startDespiteCheckFailure({ kind: 'timeout' }), true);
    assert.equal(startDespiteCheckFailure({ kind: 'module-missing' }), false);
    assert.equal(startDespiteCheckFailure({ kind: 'interpreter-not-found' }), false);
  });

  it('builds the install command', () => {
    assert.equal(installCommand('/home/ana/proj/.venv/bin/python', 'linux'), '/home/ana/proj/.venv/bin/python -m pip install spoc-lsp');
    assert.equal(installCommand('/opt/My Python/bin/python', 'darwin'), "'/opt/My Python/bin/python' -m pip install spoc-lsp");
    assert.equal(installCommand('C:\\Python312\\python.exe', 'win32'), 'C:\\Python312\\python.exe -m pip install spoc-lsp');
    assert.equal(
      installCommand('C:\\Program Files\\Python312\\python.exe', 'win32'),
      '& "C:\\Program Files\\Python312\\python.exe" -m pip install spoc-lsp',
    );
    assert.equal(shellQuote("it's", 'linux'), "'it'\\''s'");
  });

  it('says that the server is missing, names the interpreter and the fix', () => {
    const message = checkFailureMessage('/usr/bin/python3', { kind: 'module-missing' }, 'linux');
    assert.match(message, /not installed/);
    assert.ok(message.includes('"/usr/bin/python3"'));
    assert.ok(message.includes('/usr/bin/python3 -m pip install spoc-lsp'));
    assert.ok(message.includes('spoc.python'));
  });

  it('names the interpreter and the fix for every failure kind', () => {
    for (const failure of [
      { kind: 'interpreter-not-found' },
      { kind: 'import-failed', detail: 'boom' },
      { kind: 'other', detail: 'EPERM' },
    ] as const) {
      const message = checkFailureMessage('/x/python', failure, 'linux');
      assert.ok(message.includes('"/x/python"'), message);
      assert.ok(message.includes('/x/python -m pip install spoc-lsp'), message);
    }
    assert.match(checkFailureMessage('/x/python', { kind: 'interpreter-not-found' }, 'linux'), /was not found/);
    assert.match(checkFailureMessage('/x/python', { kind: 'timeout' }, 'linux'), /timed out/);
  });
});

describe('reportText', () => {
  it('prefers the text member', () => {
    assert.equal(reportText({ text: 'plugins:\n  a.b', plan: {} }), 'plugins:\n  a.b\n');
  });
  it('shows strings and JSON otherwise', () => {
    assert.equal(reportText('hello\n'), 'hello\n');
    assert.equal(reportText({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}\n');
    assert.equal(reportText({ text: 3 }), '{\n  "text": 3\n}\n');
    assert.match(reportText(null), /no result/);
    assert.match(reportText(undefined), /no result/);
  });
});

describe('SerialCoalescer', () => {
  const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('never runs two tasks at once and merges requests made while one is waiting', async () => {
    const queue = new SerialCoalescer();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const task = async (): Promise<void> => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs++;
      await tick();
      active--;
    };
    const first = queue.schedule(task); // starts
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(queue.busy, true);
    const second = queue.schedule(task); // waits
    const third = queue.schedule(task); // merged into the second
    assert.equal(second, third);
    await Promise.all([first, second, third]);
    assert.equal(maxActive, 1);
    assert.equal(runs, 2);
    assert.equal(queue.busy, false);
    await queue.schedule(task);
    assert.equal(runs, 3);
  });

  it('keeps going after a failing task', async () => {
    const queue = new SerialCoalescer();
    const order: string[] = [];
    const failing = queue.schedule(() => {
      order.push('fail');
      return Promise.reject(new Error('boom'));
    });
    await assert.rejects(failing, /boom/);
    await queue.schedule(() => {
      order.push('ok');
      return Promise.resolve();
    });
    await queue.idle();
    assert.deepEqual(order, ['fail', 'ok']);
  });
});

describe('withTimeout', () => {
  it('returns the value when it comes in time', async () => {
    assert.equal(await withTimeout(Promise.resolve(1), 1000, 'late'), 1);
  });
  it('returns the fallback otherwise', async () => {
    assert.equal(await withTimeout(new Promise<number>(() => undefined), 10, 'late'), 'late');
  });
});

describe('pythonSettingSource', () => {
  const files = { workspaceFolder: '/p', userDataDir: '/data', remote: false, platform: 'linux' };

  it('names the most specific settings file that sets spoc.python', () => {
    const all = { globalValue: '/a', workspaceValue: '/b', workspaceFolderValue: '/c' };
    assert.equal(pythonSettingSource(all, files), 'the workspace settings (/p/.vscode/settings.json)');
    assert.equal(
      pythonSettingSource(all, { ...files, workspaceFile: '/w/x.code-workspace' }),
      'the workspace folder settings (/p/.vscode/settings.json)',
    );
    assert.equal(
      pythonSettingSource({ globalValue: '/a', workspaceValue: '/b' }, files),
      'the workspace settings (/p/.vscode/settings.json)',
    );
    assert.equal(
      pythonSettingSource({ workspaceValue: '/b' }, { ...files, workspaceFile: '/w/x.code-workspace' }),
      'the workspace file (/w/x.code-workspace)',
    );
  });

  it('reads a global value from User settings locally and from Remote settings in a remote window', () => {
    assert.equal(pythonSettingSource({ globalValue: '/a' }, files), 'the User settings (/data/User/settings.json)');
    assert.equal(
      pythonSettingSource({ globalValue: '/a' }, { ...files, remote: true }),
      'the Remote settings (/data/Machine/settings.json)',
    );
  });

  it('says so when nothing sets it, ignoring blank values', () => {
    assert.match(pythonSettingSource({ globalValue: '  ', workspaceValue: '' }, files), /not set/);
    assert.match(pythonSettingSource(undefined, files), /not set/);
  });

  it('puts the settings file into the not-found message', () => {
    const message = checkFailureMessage('/x/python', { kind: 'interpreter-not-found' }, 'linux', 'the User settings (/d/User/settings.json)');
    assert.match(message, /was not found.*"spoc\.python" was read from the User settings \(\/d\/User\/settings\.json\)/);
  });
});
