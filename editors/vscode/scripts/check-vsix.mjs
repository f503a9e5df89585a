#!/usr/bin/env node
// Checks the packaged .vsix (a zip archive): it must contain the bundled
// extension, the spoc.toml schema and the manifest, and nothing from src/,
// test/ or node_modules/.
//
// Usage: node scripts/check-vsix.mjs [path/to/file.vsix]
// Without an argument it checks spoc-lsp-<version>.vsix next to package.json.
//
// The zip is read by hand with node's zlib: the end-of-central-directory
// record gives the central directory, whose entries give every file's name,
// sizes and the offset of its local header and data.

import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsixPath = resolve(process.argv[2] ?? join(root, `${manifest.name}-${manifest.version}.vsix`));

const REQUIRED = [
  'extension/dist/extension.js',
  'extension/schemas/spoc.schema.json',
  'extension/package.json',
  'extension/readme.md',
  'extension/LICENSE.txt',
  'extension.vsixmanifest',
  '[Content_Types].xml',
];
const FORBIDDEN_PREFIXES = ['extension/src/', 'extension/test/', 'extension/node_modules/', 'extension/out/', 'extension/scripts/'];

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

function fail(message) {
  console.error(`check-vsix: FAIL: ${message}`);
  process.exit(1);
}

/** Reads the central directory: [{ name, method, compressedSize, size, localOffset }]. */
function listEntries(buffer) {
  // The EOCD record is 22 bytes plus a comment of at most 65535 bytes.
  const lowest = Math.max(0, buffer.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = buffer.length - 22; i >= lowest; i--) {
    if (buffer.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    fail(`${vsixPath} is not a zip archive (no end of central directory record)`);
  }
  const count = buffer.readUInt16LE(eocd + 10);
  const offset = buffer.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) {
    fail('zip64 archives are not supported');
  }
  const entries = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (buffer.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      fail(`corrupt central directory at byte ${at}`);
    }
    const method = buffer.readUInt16LE(at + 10);
    const compressedSize = buffer.readUInt32LE(at + 20);
    const size = buffer.readUInt32LE(at + 24);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const localOffset = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({ name, method, compressedSize, size, localOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Returns the uncompressed content of an entry (stored or deflated). */
function readEntry(buffer, entry) {
  const at = entry.localOffset;
  if (buffer.readUInt32LE(at) !== LOCAL_SIGNATURE) {
    fail(`corrupt local header for ${entry.name}`);
  }
  const start = at + 30 + buffer.readUInt16LE(at + 26) + buffer.readUInt16LE(at + 28);
  const raw = buffer.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) {
    return raw;
  }
  if (entry.method === 8) {
    return inflateRawSync(raw);
  }
  fail(`${entry.name} uses unsupported compression method ${entry.method}`);
  return undefined;
}

let buffer;
try {
  buffer = readFileSync(vsixPath);
} catch (error) {
  fail(`cannot read ${vsixPath}: ${error.message} (run "npm run package" first)`);
}

const entries = listEntries(buffer);
const byName = new Map(entries.map((entry) => [entry.name, entry]));
const names = entries.map((entry) => entry.name).sort();

console.log(`check-vsix: ${vsixPath} (${statSync(vsixPath).size} bytes, ${entries.length} entries)`);
for (const entry of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
  console.log(`  ${String(entry.size).padStart(9)}  ${entry.name}`);
}

const problems = [];
for (const required of REQUIRED) {
  // vsce renames README.md/LICENSE inside the package; compare case-insensitively.
  const found = names.find((name) => name.toLowerCase() === required.toLowerCase());
  if (found === undefined) {
    problems.push(`missing ${required}`);
  } else if (byName.get(found).size === 0) {
    problems.push(`${found} is empty`);
  }
}
for (const name of names) {
  if (FORBIDDEN_PREFIXES.some((prefix) => name.startsWith(prefix)) || name.endsWith('.vsix')) {
    problems.push(`unexpected ${name}`);
  }
}

if (problems.length === 0) {
  const packaged = JSON.parse(readEntry(buffer, byName.get('extension/package.json')).toString('utf8'));
  if (packaged.name !== manifest.name || packaged.publisher !== manifest.publisher || packaged.version !== manifest.version) {
    problems.push('extension/package.json does not match package.json');
  }
  if (packaged.main !== './dist/extension.js') {
    problems.push(`extension/package.json has main=${packaged.main}`);
  }
  const schema = JSON.parse(readEntry(buffer, byName.get('extension/schemas/spoc.schema.json')).toString('utf8'));
  if (schema?.properties?.spoc?.properties?.plugins === undefined) {
    problems.push('extension/schemas/spoc.schema.json does not describe spoc.plugins');
  }
  const bundle = readEntry(buffer, byName.get('extension/dist/extension.js')).toString('utf8');
  for (const marker of ['spoc_lsp', 'spoc.showPlugins', 'spoc-plugins']) {
    if (!bundle.includes(marker)) {
      problems.push(`extension/dist/extension.js does not mention ${marker}`);
    }
  }
  if (/require\(["']vscode-languageclient/.test(bundle)) {
    problems.push('extension/dist/extension.js requires vscode-languageclient at run time (not bundled)');
  }
}

if (problems.length > 0) {
  for (const problem of problems) {
    console.error(`check-vsix: FAIL: ${problem}`);
  }
  process.exit(1);
}
console.log(`check-vsix: OK (${REQUIRED.length} required entries present, nothing from src/, test/ or node_modules/)`);
