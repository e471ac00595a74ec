// core/idn.ts: domain comparison keys through the platform's UTS #46 ToASCII (the WHATWG URL host parser),
// checked against RFC 3492 §7.1's sample strings and against inputs the URL parser treats specially.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainKey } from '../../../src/core/idn.js';
import { sameAddress } from '../../../src/core/mime/address.js';

// RFC 3492 §7.1 (A)-(R), as [label, Punycode]; (S) "-> $1.00 <-" is not a host name. UTS #46 lowercases
// before encoding, so the A-label is "xn--" + the sample's Punycode in lowercase (basic code points are
// copied literally and the deltas do not depend on their case).
const RFC3492: [string, string, string][] = [
  ['(A) Arabic (Egyptian)', '\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F', 'egbpdaj6bu4bxfgehfvwxn'],
  ['(B) Chinese (simplified)', '\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587', 'ihqwcrb4cv8a8dqg056pqjye'],
  ['(C) Chinese (traditional)', '\u4ED6\u5011\u7232\u4EC0\u9EBD\u4E0D\u8AAA\u4E2D\u6587', 'ihqwctvzc91f659drss3x8bo0yb'],
  ['(D) Czech', 'Pro\u010Dprost\u011Bnemluv\u00ED\u010Desky', 'Proprostnemluvesky-uyb24dma41a'],
  ['(E) Hebrew', '\u05DC\u05DE\u05D4\u05D4\u05DD\u05E4\u05E9\u05D5\u05D8\u05DC\u05D0\u05DE\u05D3\u05D1\u05E8\u05D9\u05DD\u05E2\u05D1\u05E8\u05D9\u05EA', '4dbcagdahymbxekheh6e0a7fei0b'],
  [
    '(F) Hindi (Devanagari)',
    '\u092F\u0939\u0932\u094B\u0917\u0939\u093F\u0928\u094D\u0926\u0940\u0915\u094D\u092F\u094B\u0902\u0928\u0939\u0940\u0902\u092C\u094B\u0932\u0938\u0915\u0924\u0947\u0939\u0948\u0902',
    'i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd',
  ],
  ['(G) Japanese', '\u306A\u305C\u307F\u3093\u306A\u65E5\u672C\u8A9E\u3092\u8A71\u3057\u3066\u304F\u308C\u306A\u3044\u306E\u304B', 'n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa'],
  [
    '(H) Korean',
    '\uC138\uACC4\uC758\uBAA8\uB4E0\uC0AC\uB78C\uB4E4\uC774\uD55C\uAD6D\uC5B4\uB97C\uC774\uD574\uD55C\uB2E4\uBA74\uC5BC\uB9C8\uB098\uC88B\uC744\uAE4C',
    '989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c',
  ],
  [
    '(I) Russian',
    '\u043F\u043E\u0447\u0435\u043C\u0443\u0436\u0435\u043E\u043D\u0438\u043D\u0435\u0433\u043E\u0432\u043E\u0440\u044F\u0442\u043F\u043E\u0440\u0443\u0441\u0441\u043A\u0438',
    'b1abfaaepdrnnbgefbadotcwatmq2g4l',
  ],
  ['(J) Spanish', 'Porqu\u00E9nopuedensimplementehablarenEspa\u00F1ol', 'PorqunopuedensimplementehablarenEspaol-fmd56a'],
  ['(K) Vietnamese', 'T\u1EA1isaoh\u1ECDkh\u00F4ngth\u1EC3ch\u1EC9n\u00F3iti\u1EBFngVi\u1EC7t', 'TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g'],
  ['(L)', '3\u5E74B\u7D44\u91D1\u516B\u5148\u751F', '3B-ww4c5e180e575a65lsy2b'],
  ['(M)', '\u5B89\u5BA4\u5948\u7F8E\u6075-with-SUPER-MONKEYS', '-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n'],
  ['(N)', 'Hello-Another-Way-\u305D\u308C\u305E\u308C\u306E\u5834\u6240', 'Hello-Another-Way--fc4qua05auwb3674vfr0b'],
  ['(O)', '\u3072\u3068\u3064\u5C4B\u6839\u306E\u4E0B2', '2-u9tlzr9756bt3uc0v'],
  ['(P)', 'Maji\u3067Koi\u3059\u308B5\u79D2\u524D', 'MajiKoi5-783gue6qz075azm5e'],
  ['(Q)', '\u30D1\u30D5\u30A3\u30FCde\u30EB\u30F3\u30D0', 'de-jg4avhby1noc0d'],
  ['(R)', '\u305D\u306E\u30B9\u30D4\u30FC\u30C9\u3067', 'd9juau41awczczp'],
];

test('RFC 3492 §7.1 sample strings: U-label and A-label give the same key', () => {
  for (const [name, label, puny] of RFC3492) {
    const aLabel = `xn--${puny.toLowerCase()}`;
    assert.equal(domainKey(`${label}.example`), `${aLabel}.example`, name);
    assert.equal(domainKey(`${aLabel.toUpperCase()}.EXAMPLE`), `${aLabel}.example`, name);
  }
});

test('ToASCII mapping: case, compatibility forms and the ideographic full stop', () => {
  assert.equal(domainKey('MÜNCHEN.Example'), 'xn--mnchen-3ya.example');
  assert.equal(domainKey('ｍüｎｃｈｅｎ.example'), 'xn--mnchen-3ya.example'); // fullwidth letters map to ASCII
  assert.equal(domainKey('ß.example'), 'xn--zca.example'); // nontransitional, as browsers
  assert.equal(domainKey('ü。example'), 'xn--tda.example');
  assert.equal(domainKey('[192.0.2.1]'), '[192.0.2.1]');
  assert.equal(domainKey(''), '');
});

test('URL syntax inside a label is never interpreted: no port, userinfo, path, percent-decoding or dropped tab', () => {
  const kept = ['mü:25', 'ü@evil', 'ü/x', 'ü?q', 'ü#f', 'ü\\x', 'm%C3%BCnchen', 'mü%6Echen', 'mü\tnchen', 'mü\nnchen', 'ü x'];
  for (const label of kept) {
    assert.equal(domainKey(`${label}.example`), `${label.normalize('NFKC').toLowerCase()}.example`, JSON.stringify(label));
  }
  // The converted key of the look-alike never equals the real domain's.
  assert.ok(!sameAddress('a@ü@evil.example', 'a@evil.example'));
  assert.notEqual(domainKey('mü\tnchen.example'), domainKey('münchen.example'));
  assert.notEqual(domainKey('m%C3%BCnchen.example'), domainKey('münchen.example'));
});

test('numeric and IPv4-looking labels stay labels: each label is converted on its own', () => {
  assert.equal(domainKey('münchen.123'), 'xn--mnchen-3ya.123');
  assert.equal(domainKey('ü.0x7f.1'), 'xn--tda.0x7f.1');
  assert.equal(domainKey('192.0.2.1'), '192.0.2.1');
});

test('labels the UTS #46 checks refuse are kept as written and equal only themselves', () => {
  // A zero-width joiner outside its allowed context (RFC 5892 CONTEXTJ), a broken A-label, a label with
  // a bidi violation (a Hebrew letter after a digit-first LTR context).
  for (const label of ['ü\u200d', 'xn--zz!', 'xn--a']) {
    assert.equal(domainKey(`${label}.example`), `${label.normalize('NFKC').toLowerCase()}.example`, JSON.stringify(label));
  }
  assert.notEqual(domainKey('ü\u200d.example'), domainKey('ü.example'));
});
