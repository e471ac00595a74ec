// The content sandbox's CSS filter (issue 12, finding 8): loaders are found after CSS escapes (CSS Syntax
// Level 3 §4.3.7) and comments are resolved, whole declarations and rules that could load are dropped, and
// the blocked count is exact (one per dropped declaration or rule that names something outside the message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { filterDeclarations, filterStyleSheet, normaliseCss } from '../../../src/taskpane/sanitize-css.js';

test('normaliseCss decodes escapes and removes comments as a CSS parser does (§4.3.7, §4.3.2)', () => {
  assert.equal(normaliseCss('u\\72 l('), 'url(');
  assert.equal(normaliseCss('u\\000072l('), 'url(');
  assert.equal(normaliseCss('\\75\\72\\6c('), 'url(');
  assert.equal(normaliseCss('@\\69mport'), '@import');
  assert.equal(normaliseCss('@\\49 MPORT'), '@import');
  assert.equal(normaliseCss('u\\rl('), 'url(', 'a non-hex escape is the character itself');
  assert.equal(normaliseCss('ur/* x */l('), 'url(');
  assert.equal(normaliseCss('a\\\nb'), 'ab', 'an escaped newline disappears');
  assert.equal(normaliseCss('\\0 x'), '\uFFFDx');
  assert.equal(normaliseCss('\\d800 x'), '\uFFFDx');
  assert.equal(normaliseCss('\\110000 x'), '\uFFFDx');
  assert.equal(normaliseCss('x\\'), 'x\uFFFD');
  assert.equal(normaliseCss('COLOR:  Red'), 'color: red');
});

test('declarations with any loader are dropped, each counted once; the rest is kept verbatim', () => {
  const cases: [string, string, number][] = [
    ['color: red; background: url(http://a.example/x.png)', 'color: red', 1],
    ['background: u\\72 l(http://a.example/x.png); color: blue', 'color: blue', 1],
    ['background-image: image-set("http://a.example/1x.png" 1x, "2x.png" 2x)', '', 1],
    ['background-image: -webkit-image-set(url(a.png) 1x)', '', 1],
    ['background: image("http://a.example/i.png")', '', 1],
    ['background: cross-fade(url(a.png), url(b.png), 50%)', '', 1],
    ['background: element(#x)', '', 1],
    ['width: expression(alert(1))', '', 1],
    ['behavior: url(#default#VML)', '', 1],
    ['-moz-binding: url(http://a.example/x.xml#b)', '', 1],
    ['cursor: url(http://a.example/c.cur), auto; list-style-image: url(x.png); border-image: url(b.png) 30', '', 3],
    ['filter: progid:DXImageTransform.Microsoft.AlphaImageLoader(src="x.png")', '', 1],
    ['mask: src("x.svg")', '', 1],
    ['background: URL( "http://a.example/x" )', '', 1],
    ['background: ur/**/l(http://a.example/x)', '', 1],
    ['content: "a;b"; color: red', 'content: "a;b"; color: red', 0],
    ['background: url(data:image/png;base64,AAAA); color: red', 'color: red', 0],
    ['filter: url(#blur)', '', 0],
    ['color: red', 'color: red', 0],
  ];
  for (const [input, css, blocked] of cases) assert.deepEqual(filterDeclarations(input), { css, blocked }, input);
});

test('style sheets: @import (escaped or not), @font-face with src, loader rules dropped; @media filtered inside', () => {
  const sheet = [
    '@import url("http://a.example/a.css");',
    '@\\69mport "http://a.example/b.css";',
    '@font-face { font-family: X; src: url(http://a.example/x.woff2) }',
    '@font-face { font-family: Y; src: local(Arial) }',
    'body { color: #333; background: url(http://a.example/bg.png) }',
    '@media screen and (min-width: 10px) { p { margin: 0; background-image: image-set("x.png" 1x) } }',
    '.a::after { content: "}"; color: red }',
    'p { b\\61 ckground: u\\rl(http://a.example/p.png) }',
  ].join('\n');
  const r = filterStyleSheet(sheet);
  assert.equal(r.blocked, 6);
  assert.equal(r.css, 'body { color: #333 }\n@media screen and (min-width: 10px) {\np { margin: 0 }\n}\n.a::after { content: "}"; color: red }\np {  }\n');
});

test('style sheets: a loader hidden in a selector, a string or a nested rule drops the whole rule', () => {
  assert.deepEqual(filterStyleSheet('a[href=url(x)] { color: red }'), { css: '', blocked: 1 });
  assert.deepEqual(filterStyleSheet('p { color: red; & span { background: url(http://a.example/n.png) } }'), { css: 'p { color: red }\n', blocked: 1 });
  assert.deepEqual(filterStyleSheet('@keyframes k { from { background: url(http://a.example/k.png) } to { color: red } }'), { css: '@keyframes k {\nfrom {  }\nto { color: red }\n}\n', blocked: 1 });
  assert.deepEqual(filterStyleSheet('@import "http://a.example/last.css"'), { css: '', blocked: 1 });
  assert.deepEqual(filterStyleSheet('p { color: red'), { css: 'p { color: red }\n', blocked: 0 }, 'an unclosed block ends at the end of the sheet');
});

test('property: no filtered output contains a loader after normalisation, for any input', () => {
  const pieces = ['url(', 'u\\72 l(', 'image-set(', '@import', '@\\69mport', '/*', '*/', '"', "'", '\\', '{', '}', ';', ':', '(', ')', 'x', ' ', '\n', 'background', '@media', '@font-face', 'src(', 'expression('];
  const arb = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(''));
  fc.assert(
    fc.property(arb, (css) => {
      const sheet = filterStyleSheet(css).css;
      const decl = filterDeclarations(css).css;
      for (const out of [sheet, decl]) {
        const n = normaliseCss(out);
        if (/(?:url|image-set|image|cross-fade|element|src|expression)\(|@import|@font-face/.test(n)) return false;
      }
      return true;
    }),
    { numRuns: 3000 },
  );
});
