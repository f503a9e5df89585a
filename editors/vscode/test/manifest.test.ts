/**
 * Checks that package.json, the schema and the pure logic agree with each
 * other (command ids, settings, trust, activation, TOML schema contribution).
 */
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS, RUNTIME_CHECKS, SEVERITIES, USER_SETTING_KEYS } from '../src/logic';

// Compiled to out/test/*.js: the extension root is two levels up.
const root = path.resolve(__dirname, '..', '..');

interface ConfigurationProperty {
  type?: string;
  default?: unknown;
  enum?: string[];
  items?: { type?: string };
  additionalProperties?: { enum?: string[] };
}

interface Manifest {
  name: string;
  publisher: string;
  main: string;
  license: string;
  repository?: { url?: string };
  engines: { vscode: string };
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, ConfigurationProperty> };
    tomlValidation: { fileMatch: string; url: string }[];
  };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

describe('package.json', () => {
  it('identifies the extension', () => {
    assert.equal(manifest.name, 'spoc-lsp');
    assert.equal(manifest.publisher, 'spoc');
    assert.equal(manifest.license, 'MIT');
    assert.ok(manifest.repository?.url);
    assert.equal(manifest.main, './dist/extension.js');
    assert.ok(existsSync(path.join(root, 'LICENSE')));
    assert.ok(existsSync(path.join(root, 'README.md')));
  });

  it('activates in workspaces that contain a spoc.toml', () => {
    assert.ok(manifest.activationEvents.includes('workspaceContains:**/spoc.toml'));
  });

  it('contributes exactly the commands the extension registers', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, Object.values(COMMANDS).sort());
    const titles = Object.fromEntries(manifest.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
    assert.equal(titles[COMMANDS.restartServer], 'SPOC: Restart Server');
    assert.equal(titles[COMMANDS.showMergedPlugins], 'SPOC: Show Merged Plugins');
    assert.equal(titles[COMMANDS.showEnvironmentReport], 'SPOC: Show Environment');
  });

  it('contributes every user setting forwarded to the server, plus trace.server', () => {
    const props = manifest.contributes.configuration.properties;
    const keys = Object.keys(props).sort();
    assert.deepEqual(keys, [...USER_SETTING_KEYS.map((k) => `spoc.${k}`), 'spoc.trace.server'].sort());
    assert.equal(props['spoc.python'].type, 'string');
    assert.equal(props['spoc.extraPaths'].type, 'array');
    assert.equal(props['spoc.extraPaths'].items?.type, 'string');
    assert.deepEqual(props['spoc.runtimeCheck'].enum, [...RUNTIME_CHECKS]);
    assert.equal(props['spoc.runtimeCheck'].default, 'off');
    assert.equal(props['spoc.inlayHints'].type, 'boolean');
    assert.equal(props['spoc.inlayHints'].default, true);
    assert.equal(props['spoc.severity'].type, 'object');
    assert.deepEqual(props['spoc.severity'].additionalProperties?.enum, [...SEVERITIES]);
    assert.deepEqual(props['spoc.trace.server'].enum, ['off', 'messages', 'verbose']);
  });

  it('supports untrusted workspaces in a limited way', () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    assert.deepEqual([...(trust.restrictedConfigurations ?? [])].sort(), ['spoc.extraPaths', 'spoc.python', 'spoc.runtimeCheck']);
  });

  it('contributes the spoc.toml schema to Even Better TOML', () => {
    assert.deepEqual(manifest.contributes.tomlValidation, [{ fileMatch: 'spoc.toml', url: './schemas/spoc.schema.json' }]);
    assert.ok(existsSync(path.join(root, 'schemas', 'spoc.schema.json')));
  });

  it('uses vscode-languageclient 9 and an engine no older than @types/vscode', () => {
    assert.match(manifest.dependencies['vscode-languageclient'], /^\^?9\./);
    const engine = manifest.engines.vscode.replace(/^\^/, '');
    const types = manifest.devDependencies['@types/vscode'].replace(/^[~^]/, '');
    const [eMajor, eMinor] = engine.split('.').map(Number);
    const [tMajor, tMinor] = types.split('.').map(Number);
    assert.ok(eMajor > tMajor || (eMajor === tMajor && eMinor >= tMinor), `${engine} < ${types}`);
  });

  it('has the build scripts, ci running all of them in order', () => {
    for (const name of ['build', 'typecheck', 'lint', 'test', 'package', 'ci']) {
      assert.ok(manifest.scripts[name], `missing script ${name}`);
    }
    const steps = manifest.scripts.ci.split('&&').map((s) => s.trim());
    assert.deepEqual(steps, [
      'npm run build',
      'npm run typecheck',
      'npm run lint',
      'npm run test',
      'npm run package',
      'npm run check-vsix',
    ]);
  });

  it('builds the bundle before packaging, so `npm run package` works on a fresh clone', () => {
    // vsce runs vscode:prepublish before it packs dist/extension.js.
    assert.equal(manifest.scripts['vscode:prepublish'], 'npm run build');
  });
});

describe('.vscodeignore', () => {
  it('keeps sources and node_modules out of the package', () => {
    const lines = readFileSync(path.join(root, '.vscodeignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    assert.equal(lines[0], '**');
    const included = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    for (const entry of included) {
      assert.ok(!entry.startsWith('src') && !entry.startsWith('node_modules') && !entry.startsWith('test'), entry);
    }
    for (const needed of ['dist/extension.js', 'schemas/spoc.schema.json', 'package.json', 'README.md', 'LICENSE']) {
      assert.ok(included.includes(needed), needed);
    }
  });
});
