// Parses every message of the corpora in test/fixtures/corpus (Thunderbird/NSS, Bouncy Castle, OpenSSL interop files):
// nothing but a SignetError may escape, and every multipart/signed has exactly two parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SignetError } from '../../../src/core/errors.js';
import type { MimeEntity } from '../../../src/core/mime/entity.js';
import { parseMime } from '../../../src/core/mime/parser.js';
import { CORPUS } from '../../helpers/corpus.js';
import { assertExactSlices, walk } from './util.js';

const corpus = CORPUS;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** *.eml, *.message, and Thunderbird test files without a known extension that start with a header. */
function isMessage(path: string, bytes: Uint8Array): boolean {
  if (/\.(eml|message)$/i.test(path)) return true;
  if (!path.includes('/thunderbird/') || /\.(p12|pem|crt|cer|crl|pri|txt|md|tsv|js)$/i.test(basename(path))) return false;
  const head = String.fromCharCode(...bytes.subarray(0, 200));
  return /^[A-Za-z][A-Za-z0-9-]*:[ \t]/.test(head);
}

test('every corpus message parses, byte-exact, or fails with a SignetError', () => {
  assert.ok(existsSync(corpus), `the corpus is missing at ${corpus} (test/fixtures/corpus in this repository)`);
  let parsed = 0;
  let signed = 0;
  const failures: string[] = [];
  for (const path of files(corpus)) {
    const bytes = new Uint8Array(readFileSync(path));
    if (!isMessage(path, bytes)) continue;
    let root: MimeEntity;
    try {
      root = parseMime(bytes);
    } catch (e) {
      assert.ok(e instanceof SignetError, `${path}: ${String(e)}`);
      failures.push(`${path}: ${e.code}`);
      continue;
    }
    parsed++;
    assertExactSlices(root, bytes);
    const entities = [...walk(root)];
    for (const e of walk(root)) {
      const inner = embedded(e);
      if (inner) entities.push(...walk(inner));
    }
    for (const e of entities) {
      if (e.type === 'multipart/signed') {
        signed++;
        assert.equal(e.children.length, 2, `${path}: multipart/signed with ${e.children.length} parts`);
      }
    }
  }
  assert.ok(parsed > 100, `only ${parsed} corpus messages parsed`);
  assert.ok(signed > 30, `only ${signed} multipart/signed entities seen`);
  assert.deepEqual(failures, []);
});

function embedded(e: MimeEntity): MimeEntity | null {
  try {
    return e.embeddedMessage();
  } catch (err) {
    assert.ok(err instanceof SignetError);
    return null;
  }
}
