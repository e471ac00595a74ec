// Path building over hand-made hostile PKIs: circular cross-certification, look-alike issuers, non-CA
// issuers and pathLen, with certificates made by the openssl CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { verifySignedData } from '../../../src/core/cms/verify.js';
import { config, openssl, pemFileToDer, provider, tmpFile } from './helpers.js';

const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
const LEAF_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=emailProtection\nsubjectAltName=email:leaf@example.org\n';
let serial = 1000;

function key(name: string): string {
  const p = tmpFile(`${name}.key`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p]);
  return p;
}

/** A certificate for `subject`/`subjectKey`, signed by `issuerKey` under `issuerCert`'s name (self-signed when absent). */
function cert(name: string, subject: string, subjectKey: string, ext: string, issuer?: { cert: string; key: string }): string {
  const out = tmpFile(`${name}.pem`);
  const extFile = tmpFile(`${name}.ext`);
  writeFileSync(extFile, `[e]\n${ext}`);
  if (!issuer) {
    openssl(['req', '-x509', '-new', '-key', subjectKey, '-subj', subject, '-days', '30', '-config', extFile, '-extensions', 'e', '-out', out]);
    return out;
  }
  const csr = tmpFile(`${name}.csr`);
  openssl(['req', '-new', '-key', subjectKey, '-subj', subject, '-out', csr, '-config', extFile]);
  openssl(['x509', '-req', '-in', csr, '-CA', issuer.cert, '-CAkey', issuer.key, '-set_serial', String(serial++), '-days', '30', '-extfile', extFile, '-extensions', 'e', '-out', out]);
  return out;
}

const content = new TextEncoder().encode('chain test\r\n');

async function verifyLeaf(leafCert: string, leafKey: string, pool: string[], anchors: string[]) {
  const der = new Uint8Array(
    openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', tmpFile('chain-content.txt', content), '-signer', leafCert, '-inkey', leafKey]),
  );
  const r = await verifySignedData(
    der,
    { detachedContent: content, anchors: anchors.map(pemFileToDer), extraCertificates: pool.map(pemFileToDer), config: config() },
    provider,
  );
  return r.signers[0]!;
}

test('cross-certified CAs A ⇄ B form a cycle: the search terminates, and finds the anchor when one is reachable', async () => {
  const kA = key('cyc-a');
  const kB = key('cyc-b');
  const kR = key('cyc-r');
  const selfA = cert('cyc-self-a', '/CN=Cycle A', kA, CA_EXT);
  const selfB = cert('cyc-self-b', '/CN=Cycle B', kB, CA_EXT);
  const aByB = cert('cyc-a-by-b', '/CN=Cycle A', kA, CA_EXT, { cert: selfB, key: kB });
  const bByA = cert('cyc-b-by-a', '/CN=Cycle B', kB, CA_EXT, { cert: selfA, key: kA });
  const unrelated = cert('cyc-r', '/CN=Unrelated Root', kR, CA_EXT);
  const kL = key('cyc-leaf');
  const leaf = cert('cyc-leaf', '/CN=Cycle Leaf', kL, LEAF_EXT, { cert: selfA, key: kA });

  const t0 = Date.now();
  const lost = await verifyLeaf(leaf, kL, [aByB, bByA], [unrelated]);
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(lost.status, 'untrusted');
  assert.equal(lost.code, 'no-path');
  assert.ok(lost.chain.length >= 2 && lost.chain.length <= 4);

  const found = await verifyLeaf(leaf, kL, [aByB, bByA], [unrelated, selfB]);
  assert.equal(found.status, 'valid', found.reason);
  assert.deepEqual(found.chain.map((c) => c.subject), ['CN=Cycle Leaf', 'CN=Cycle A', 'CN=Cycle B']);
  assert.equal(found.chain[2]!.isTrustAnchor, true);
});

test('twenty look-alike issuers with the same name and key identifier hints do not stop the real one from being found', async () => {
  const kR = key('la-root');
  const root = cert('la-root', '/CN=LA Root', kR, CA_EXT);
  const kX = key('la-x');
  const realX = cert('la-x', '/CN=LA Issuer', kX, CA_EXT, { cert: root, key: kR });
  const fakes: string[] = [];
  for (let i = 0; i < 20; i++) fakes.push(cert(`la-fake-${i}`, '/CN=LA Issuer', key(`la-fake-${i}`), CA_EXT, { cert: root, key: kR }));
  const kL = key('la-leaf');
  const leaf = cert('la-leaf', '/CN=LA Leaf', kL, LEAF_EXT, { cert: realX, key: kX });
  const s = await verifyLeaf(leaf, kL, [...fakes, realX], [root]);
  assert.equal(s.status, 'valid', s.reason);
  assert.equal(s.chain.length, 3);
});

test('an issuer without basicConstraints cA is not-ca; a pathLen:0 CA above another CA is path-length', async () => {
  const kR = key('pl-root');
  const root = cert('pl-root', '/CN=PL Root', kR, CA_EXT);
  const kN = key('pl-notca');
  const notCa = cert('pl-notca', '/CN=PL Not CA', kN, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyCertSign\n', { cert: root, key: kR });
  const kL = key('pl-leaf');
  const leafUnderNotCa = cert('pl-leaf1', '/CN=PL Leaf 1', kL, LEAF_EXT, { cert: notCa, key: kN });
  const a = await verifyLeaf(leafUnderNotCa, kL, [notCa], [root]);
  assert.equal(a.status, 'untrusted');
  assert.equal(a.code, 'not-ca');

  const k1 = key('pl-i1');
  const i1 = cert('pl-i1', '/CN=PL Inter 1', k1, 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n', { cert: root, key: kR });
  const k2 = key('pl-i2');
  const i2 = cert('pl-i2', '/CN=PL Inter 2', k2, CA_EXT, { cert: i1, key: k1 });
  const leaf2 = cert('pl-leaf2', '/CN=PL Leaf 2', kL, LEAF_EXT, { cert: i2, key: k2 });
  const b = await verifyLeaf(leaf2, kL, [i1, i2], [root]);
  assert.equal(b.status, 'untrusted');
  assert.equal(b.code, 'path-length');
  assert.equal(b.chain[2]!.status, 'path-length');
});

test('an unknown critical extension on the signer certificate is critical-extension (RFC 5280 §4.2)', async () => {
  const kR = key('ce-root');
  const root = cert('ce-root', '/CN=CE Root', kR, CA_EXT);
  const kL = key('ce-leaf');
  const leaf = cert('ce-leaf', '/CN=CE Leaf', kL, `${LEAF_EXT}1.3.6.1.4.1.99999.1=critical,ASN1:NULL\n`, { cert: root, key: kR });
  const s = await verifyLeaf(leaf, kL, [], [root]);
  assert.equal(s.status, 'untrusted');
  assert.equal(s.code, 'critical-extension');
});
