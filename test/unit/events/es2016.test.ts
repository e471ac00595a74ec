// Classic Outlook on Windows runs launchevent.js in a JavaScript-only runtime limited to ECMAScript 2016,
// where Microsoft also warns against the conditional operator ("Troubleshoot event-based and spam-reporting
// add-ins": no async/await, no ternary). This parses the compiled launch-event module and the guard it
// imports with acorn at ecmaVersion 2016 — which rejects async functions, `?.`, `??`, object spread,
// optional catch bindings, trailing commas in calls and newer RegExp syntax — then walks the tree for
// conditional expressions, and checks that nothing else is imported at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, type Node } from 'acorn';

// Compiled to lib/test/unit/events/: lib/src/events is three levels up.
const dir = new URL('../../../src/events/', import.meta.url);

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (typeof (node as { type?: unknown }).type === 'string') visit(node as Node);
  for (const [key, value] of Object.entries(node)) if (key !== 'loc') walk(value, visit);
}

function check(file: string): string[] {
  const source = readFileSync(new URL(file, dir), 'utf8');
  const ast = parse(source, { ecmaVersion: 2016, sourceType: 'module', locations: true });
  const imports: string[] = [];
  const ternaries: number[] = [];
  walk(ast, (n) => {
    if (n.type === 'ConditionalExpression') ternaries.push((n as Node & { loc: { start: { line: number } } }).loc.start.line);
    if (n.type === 'ImportDeclaration') imports.push(String((n as unknown as { source: { value: string } }).source.value));
    if (n.type === 'ImportExpression') imports.push('dynamic import()');
  });
  assert.deepEqual(ternaries, [], `${file}: conditional operator on line(s) ${ternaries.join(', ')}`);
  return imports;
}

test('launchevent.js is ECMAScript 2016 without the conditional operator, and imports only the guard', () => {
  assert.deepEqual(check('launchevent.js'), ['./guard.js']);
});

test('guard.js (loaded by launchevent.js) is ECMAScript 2016 without the conditional operator and imports nothing', () => {
  assert.deepEqual(check('guard.js'), []);
});

test('the checker itself rejects what the runtime cannot run', () => {
  const bad = ['async function f() { await 1; }', 'const a = b?.c;', 'const a = b ?? c;', 'const a = { ...b };', 'try {} catch {}', 'f(a, b,);'];
  for (const src of bad) assert.throws(() => parse(src, { ecmaVersion: 2016, sourceType: 'module' }), src);
  assert.doesNotThrow(() => parse('const f = (a) => [...a].includes(2 ** 3);', { ecmaVersion: 2016, sourceType: 'module' }));
});
