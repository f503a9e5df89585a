/**
 * Validates sample spoc.toml files against schemas/spoc.schema.json with a
 * draft-04 validator (the draft Even Better TOML / Taplo supports).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv-draft-04';
import { parse } from 'smol-toml';

// ajv-draft-04 is CommonJS: its class is module.exports and module.exports.default.
const Ajv = AjvModule.default;

// Compiled to out/test/*.mjs: the extension root is two levels up.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const schema = JSON.parse(readFileSync(path.join(root, 'schemas', 'spoc.schema.json'), 'utf8')) as {
  $schema: string;
  definitions: { pluginUri: { pattern: string } };
};

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

function check(toml: string): { valid: boolean; errors: string[] } {
  const valid = validate(parse(toml));
  return { valid: valid, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`) };
}

describe('spoc.schema.json', () => {
  it('is a draft-04 schema', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-04/schema#');
  });

  it('accepts a complete spoc.toml', () => {
    const result = check(`
[spoc]
mode = "development"
debug = true

[spoc.apps]
production = ["blog", "shop"]
development = ["debug_toolbar"]

[spoc.plugins]
middleware = ["myapp.middleware.auth", "myapp.middleware.Cors_2"]
hooks = []
commands = ["_private.cli"]

[spoc.extras]
before_server = ["demo.middleware.on_event"]

[tool.other]
anything = 1
`);
    assert.deepEqual(result.errors, []);
    assert.equal(result.valid, true);
  });

  it('accepts an empty file', () => {
    assert.equal(check('').valid, true);
  });

  for (const [label, toml, where] of [
    ['mode must be a string', '[spoc]\nmode = 1\n', '/spoc/mode'],
    ['debug must be a boolean', '[spoc]\ndebug = "yes"\n', '/spoc/debug'],
    ['apps values must be arrays of strings', '[spoc.apps]\nproduction = [1]\n', '/spoc/apps/production/0'],
    ['plugins values must be arrays', '[spoc.plugins]\nmiddleware = "a.b"\n', '/spoc/plugins/middleware'],
    ['plugin URIs must be dotted identifiers', '[spoc.plugins]\nmiddleware = ["myapp.middleware.auth", "my-app.x"]\n', '/spoc/plugins/middleware/1'],
    ['plugin URIs must not end with a dot', '[spoc.plugins]\nmiddleware = ["myapp."]\n', '/spoc/plugins/middleware/0'],
    ['plugin URIs must not start with a digit', '[spoc.plugins]\nmiddleware = ["1app.x"]\n', '/spoc/plugins/middleware/0'],
    ['plugin URIs must not use a colon', '[spoc.plugins]\nmiddleware = ["myapp.mw:auth"]\n', '/spoc/plugins/middleware/0'],
  ] as const) {
    it(`rejects: ${label}`, () => {
      const result = check(toml);
      assert.equal(result.valid, false);
      assert.ok(
        result.errors.some((e) => e.startsWith(`${where} `)),
        `expected an error at ${where}, got ${JSON.stringify(result.errors)}`,
      );
    });
  }

  it('uses the dotted-identifier pattern', () => {
    const pattern = new RegExp(schema.definitions.pluginUri.pattern);
    assert.equal(schema.definitions.pluginUri.pattern, '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$');
    for (const ok of ['a', 'myapp.middleware.auth', '_x._y', 'A1.b2']) {
      assert.ok(pattern.test(ok), ok);
    }
    for (const bad of ['', '.a', 'a..b', 'a.', 'a b', 'a.1b', 'é.x']) {
      assert.ok(!pattern.test(bad), bad);
    }
  });
});
