// Offline checks of manifest.xml (Microsoft's validator needs the network): well-formed XML, the element
// order of the add-in only manifest schema, VersionOverrides 1.0 + 1.1 with a pinnable read-mode task pane
// and the compose surface in both, the launch events and their runtimes in 1.1 only, every resid defined,
// every icon a PNG of the right size in assets/, and every ExecuteFunction bound by src/commands (and
// nothing bound that the manifest does not name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findAll, parseXml, type XmlElement } from './xml.js';
import { COMMANDS } from '../../../src/commands/commands.js';

// Compiled to lib/test/unit/manifest/: the repository root is four levels up.
const repo = new URL('../../../../', import.meta.url);
const source = readFileSync(new URL('manifest.xml', repo), 'utf8');
const root = parseXml(source);

const NS = {
  app: 'http://schemas.microsoft.com/office/appforoffice/1.1',
  bt: 'http://schemas.microsoft.com/office/officeappbasictypes/1.0',
  vo10: 'http://schemas.microsoft.com/office/mailappversionoverrides',
  vo11: 'http://schemas.microsoft.com/office/mailappversionoverrides/1.1',
};
const XSI_TYPE = 'xsi:type';
const DEV_ORIGIN = 'http://localhost:3000/';

function child(parent: XmlElement, local: string): XmlElement {
  const found = parent.children.find((c) => c.local === local);
  assert.ok(found, `<${parent.name}> (line ${parent.line}) has no <${local}>`);
  return found;
}

function attr(e: XmlElement, name: string): string {
  const value = e.attrs.get(name);
  assert.ok(value !== undefined, `<${e.name}> (line ${e.line}) has no ${name}`);
  return value;
}

const vo10 = child(root, 'VersionOverrides');
const vo11 = child(vo10, 'VersionOverrides');
const overrides = [
  { label: 'VersionOverrides 1.0', element: vo10, scope: (e: XmlElement) => e !== vo11 && !isInside(e, vo11) },
  { label: 'VersionOverrides 1.1', element: vo11, scope: () => true },
];

function isInside(e: XmlElement, ancestor: XmlElement): boolean {
  return findAll(ancestor, (x) => x === e).length > 0;
}

/** Descendants of one VersionOverrides, not counting the nested 1.1 copy when looking at 1.0. */
function within(o: (typeof overrides)[number], match: (e: XmlElement) => boolean): XmlElement[] {
  return findAll(o.element, (e) => match(e) && o.scope(e));
}

function pngSize(file: URL): { width: number; height: number } {
  const png = readFileSync(file);
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...png.subarray(0, 8)], signature, `${file.pathname} is not a PNG`);
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR', `${file.pathname} has no IHDR first`);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The file in assets/ that a dev-manifest URL points at; asserts the URL is one the workbench serves. */
function assetFor(url: string): URL {
  assert.ok(url.startsWith(`${DEV_ORIGIN}assets/`), `${url} is not under ${DEV_ORIGIN}assets/`);
  const file = new URL(url.slice(DEV_ORIGIN.length), repo);
  assert.ok(existsSync(file), `${url}: ${fileURLToPath(file)} does not exist`);
  return file;
}

test('manifest.xml is a well-formed MailApp manifest in the add-in only schema 1.1', () => {
  assert.equal(root.local, 'OfficeApp');
  assert.equal(root.uri, NS.app);
  assert.equal(attr(root, XSI_TYPE), 'MailApp');
  assert.match(child(root, 'Id').text, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(child(root, 'Version').text, /^\d+(\.\d+){0,3}$/);
  assert.equal(child(root, 'ProviderName').text, 'Signet');
  assert.equal(attr(child(root, 'DisplayName'), 'DefaultValue'), 'Signet');
  // Store/admin-center limits on the display strings.
  assert.ok(attr(child(root, 'DisplayName'), 'DefaultValue').length <= 125);
  assert.ok(attr(child(root, 'Description'), 'DefaultValue').length <= 250);
});

test('top-level elements come in the order the OfficeApp schema requires', () => {
  // The XSD is a sequence: an element out of order makes Outlook reject the whole manifest.
  const order = [
    'Id', 'Version', 'ProviderName', 'DefaultLocale', 'DisplayName', 'Description', 'IconUrl',
    'HighResolutionIconUrl', 'SupportUrl', 'AppDomains', 'Hosts', 'Requirements', 'FormSettings',
    'Permissions', 'Rule', 'DisableEntityHighlighting', 'VersionOverrides',
  ];
  const actual = root.children.map((c) => c.local);
  for (const name of actual) assert.ok(order.includes(name), `unexpected top-level <${name}>`);
  const positions = actual.map((name) => order.indexOf(name));
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `order is ${actual.join(', ')}`);
  for (const required of ['Id', 'Version', 'ProviderName', 'DefaultLocale', 'DisplayName', 'Description', 'IconUrl', 'Hosts', 'FormSettings', 'Permissions', 'Rule']) {
    assert.ok(actual.includes(required), `missing <${required}>`);
  }
});

test('activates on messages being read and written, with the least permission that works', () => {
  // ReadWriteItem is what compose needs; the dev manifest asks for ReadWriteMailbox because the EWS transport
  // (Exchange on-premises) calls makeEwsRequestAsync. The production build lowers it when the policy
  // configures Graph (test/unit/build). Nothing beyond these two is ever acceptable.
  assert.equal(child(root, 'Permissions').text.trim(), 'ReadWriteMailbox');
  assert.match(source, /<!--[^>]*makeEwsRequestAsync requires ReadWriteMailbox[\s\S]*?-->\s*<Permissions>/, 'the reason is stated next to <Permissions>');
  assert.equal(attr(child(child(root, 'Hosts'), 'Host'), 'Name'), 'Mailbox');
  const rules = findAll(root, (e) => e.local === 'Rule' && e.attrs.get(XSI_TYPE) === 'ItemIs');
  assert.deepEqual(rules.map((r) => `${r.attrs.get('ItemType')}/${r.attrs.get('FormType')}`), ['Message/Read', 'Message/Edit']);
  const forms = child(root, 'FormSettings').children;
  assert.deepEqual(forms.map((f) => attr(f, XSI_TYPE)), ['ItemRead', 'ItemEdit']);
  for (const form of forms) assert.equal(attr(child(child(form, 'DesktopSettings'), 'SourceLocation'), 'DefaultValue'), `${DEV_ORIGIN}taskpane.html`);
});

test('VersionOverrides 1.0 holds a nested 1.1, each with its own namespace and in schema order', () => {
  assert.equal(vo10.uri, NS.vo10);
  assert.equal(attr(vo10, XSI_TYPE), 'VersionOverridesV1_0');
  assert.equal(vo11.uri, NS.vo11);
  assert.equal(attr(vo11, XSI_TYPE), 'VersionOverridesV1_1');
  for (const { label, element } of overrides) {
    const names = element.children.map((c) => c.local);
    const order = ['Description', 'Requirements', 'Hosts', 'Resources', 'VersionOverrides'];
    const positions = names.map((n) => order.indexOf(n));
    assert.ok(!positions.includes(-1), `${label}: unexpected child in ${names.join(', ')}`);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `${label}: order is ${names.join(', ')}`);
    const desktop = child(child(child(element, 'Hosts'), 'Host'), 'DesktopFormFactor');
    // 1.1 only: SupportsSharedFolders (first, [MS-OWEMXML] FormFactorWithSupportsSharedFolders), then FunctionFile.
    const first = desktop.children.map((c) => c.local).filter((n) => n !== 'SupportsSharedFolders')[0];
    assert.equal(first, 'FunctionFile', `${label}: FunctionFile must come first`);
  }
  const shared = (o: XmlElement): string[] => child(child(child(o, 'Hosts'), 'Host'), 'DesktopFormFactor').children.filter((c) => c.local === 'SupportsSharedFolders').map((c) => c.text.trim());
  assert.deepEqual(shared(vo11), ['true'], 'Signet (and its send guard) runs in shared and delegate mailboxes');
  assert.equal(child(child(child(vo11, 'Hosts'), 'Host'), 'DesktopFormFactor').children[0]?.local, 'SupportsSharedFolders');
  assert.deepEqual(shared(vo10), [], 'SupportsSharedFolders exists only in the 1.1 schema');
});

test('both overrides put a Signet task pane button on the MessageReadCommandSurface', () => {
  for (const o of overrides) {
    const surfaces = within(o, (e) => e.local === 'ExtensionPoint' && e.attrs.get(XSI_TYPE) === 'MessageReadCommandSurface');
    assert.equal(surfaces.length, 1, `${o.label}: one MessageReadCommandSurface`);
    const panes = findAll(surfaces[0]!, (e) => e.local === 'Action' && e.attrs.get(XSI_TYPE) === 'ShowTaskpane');
    assert.equal(panes.length, 1, `${o.label}: one ShowTaskpane action`);
  }
});

/** The compose surface's controls of one VersionOverrides, by id: [action type, FunctionName or pane URL resid]. */
function composeControls(o: (typeof overrides)[number]): Map<string, [string, string]> {
  const surfaces = within(o, (e) => e.local === 'ExtensionPoint' && e.attrs.get(XSI_TYPE) === 'MessageComposeCommandSurface');
  assert.equal(surfaces.length, 1, `${o.label}: one MessageComposeCommandSurface`);
  const controls = findAll(surfaces[0]!, (e) => e.local === 'Control');
  return new Map(
    controls.map((c) => {
      const action = child(c, 'Action');
      const type = attr(action, XSI_TYPE);
      const target = type === 'ExecuteFunction' ? child(action, 'FunctionName').text.trim() : attr(child(action, 'SourceLocation'), 'resid');
      return [attr(c, 'id'), [type, target]];
    }),
  );
}

test('both overrides put Sign, Encrypt and the Signet compose pane on the MessageComposeCommandSurface', () => {
  for (const o of overrides) {
    assert.deepEqual(
      [...composeControls(o)],
      [
        ['signetToggleSignButton', ['ExecuteFunction', 'signetToggleSign']],
        ['signetToggleEncryptButton', ['ExecuteFunction', 'signetToggleEncrypt']],
        // The Smart Alerts commandId of the send guard (contract with src/events).
        ['signetComposePaneButton', ['ShowTaskpane', 'Taskpane.Url']],
      ],
      o.label,
    );
  }
});

/** Event name → handler name and SendMode, per the compose/send contract (src/events registers them). */
const LAUNCH_EVENTS: Record<string, { handler: string; sendMode?: string }> = {
  OnNewMessageCompose: { handler: 'onNewMessageComposeHandler' },
  OnMessageRecipientsChanged: { handler: 'onMessageRecipientsChangedHandler' },
  OnMessageSend: { handler: 'onMessageSendHandler', sendMode: 'SoftBlock' },
};

test('launch events live in the 1.1 copy only, with the contract handler names and SoftBlock in the dev manifest', () => {
  const all = findAll(root, (e) => e.local === 'LaunchEvent' && e.uri !== '' && e.attrs.has('Type'));
  assert.ok(all.every((e) => e.uri === NS.vo11), 'LaunchEvent is a 1.1 element');
  assert.equal(findAll(vo10, (e) => e.local === 'Runtimes' && !isInside(e, vo11)).length, 0, 'Runtimes is a 1.1 element');
  const points = findAll(vo11, (e) => e.local === 'ExtensionPoint' && e.attrs.get(XSI_TYPE) === 'LaunchEvent');
  assert.equal(points.length, 1);
  const events = findAll(points[0]!, (e) => e.local === 'LaunchEvent');
  assert.deepEqual(
    events.map((e) => [attr(e, 'Type'), attr(e, 'FunctionName'), e.attrs.get('SendMode')]),
    Object.entries(LAUNCH_EVENTS).map(([type, v]) => [type, v.handler, v.sendMode]),
  );
  // Only one OnMessageSend per add-in ("Smart Alerts", Limitations).
  assert.equal(events.filter((e) => attr(e, 'Type') === 'OnMessageSend').length, 1);
});

test('the event runtime is commands.html (browser) with launchevent.js as the javascript override (classic Outlook)', () => {
  const urls = new Map(findAll(child(vo11, 'Resources'), (e) => e.local === 'Url').map((e) => [attr(e, 'id'), attr(e, 'DefaultValue')]));
  const host = child(child(vo11, 'Hosts'), 'Host');
  assert.equal(host.children[0]?.local, 'Runtimes', 'Runtimes comes first in the 1.1 MailHost');
  const runtimes = findAll(child(host, 'Runtimes'), (e) => e.local === 'Runtime');
  assert.equal(runtimes.length, 1);
  const runtime = runtimes[0]!;
  assert.equal(urls.get(attr(runtime, 'resid')), `${DEV_ORIGIN}commands.html`);
  assert.equal(runtime.attrs.get('lifetime'), undefined, 'event handlers use a short-lived runtime');
  const override = child(runtime, 'Override');
  assert.equal(attr(override, 'type'), 'javascript');
  assert.equal(urls.get(attr(override, 'resid')), `${DEV_ORIGIN}launchevent.js`);
  // The LaunchEvent extension point names the same runtime.
  const point = findAll(host, (e) => e.local === 'ExtensionPoint' && e.attrs.get(XSI_TYPE) === 'LaunchEvent')[0]!;
  assert.equal(attr(child(point, 'SourceLocation'), 'resid'), attr(runtime, 'resid'));
  const desktop = child(host, 'DesktopFormFactor');
  assert.equal(urls.get(attr(child(desktop, 'FunctionFile'), 'resid')), `${DEV_ORIGIN}commands.html`);
});

test('the task pane is pinnable in 1.1, and SupportsPinning appears nowhere else', () => {
  const pins = findAll(root, (e) => e.local === 'SupportsPinning');
  assert.equal(pins.length, 1, 'SupportsPinning is a 1.1 element: exactly one, in the 1.1 copy');
  const pin = pins[0]!;
  assert.equal(pin.uri, NS.vo11);
  assert.equal(pin.text.trim(), 'true');
  const action = findAll(vo11, (e) => e.local === 'Action' && e.children.includes(pin))[0];
  assert.ok(action, 'SupportsPinning sits directly in an Action');
  assert.equal(attr(action, XSI_TYPE), 'ShowTaskpane');
  assert.deepEqual(action.children.map((c) => c.local), ['SourceLocation', 'SupportsPinning']);
});

test('every resid is defined in the Resources of its own VersionOverrides, ids unique and short', () => {
  for (const o of overrides) {
    const resources = child(o.element, 'Resources');
    const defined = new Map<string, XmlElement>();
    for (const def of findAll(resources, (e) => e.attrs.has('id'))) {
      const id = attr(def, 'id');
      assert.ok(!defined.has(id), `${o.label}: resource id ${id} defined twice`);
      assert.ok(id.length <= 32, `${o.label}: resource id ${id} is longer than 32 characters`);
      defined.set(id, def);
    }
    const references = within(o, (e) => e.attrs.has('resid'));
    assert.ok(references.length > 0);
    for (const ref of references) {
      const id = attr(ref, 'resid');
      assert.ok(defined.has(id), `${o.label}: resid ${id} (line ${ref.line}) is not defined in its Resources`);
    }
    for (const s of findAll(child(resources, 'ShortStrings'), (e) => e.local === 'String')) {
      assert.ok(attr(s, 'DefaultValue').length <= 125, `${o.label}: short string ${attr(s, 'id')} is too long`);
    }
    for (const s of findAll(child(resources, 'LongStrings'), (e) => e.local === 'String')) {
      assert.ok(attr(s, 'DefaultValue').length <= 250, `${o.label}: long string ${attr(s, 'id')} is too long`);
    }
  }
});

test('every icon URL points at a PNG in assets/ with the size the manifest states', () => {
  const iconUrl = attr(child(root, 'IconUrl'), 'DefaultValue');
  const highRes = attr(child(root, 'HighResolutionIconUrl'), 'DefaultValue');
  assert.deepEqual(pngSize(assetFor(iconUrl)), { width: 64, height: 64 });
  assert.deepEqual(pngSize(assetFor(highRes)), { width: 128, height: 128 });
  for (const o of overrides) {
    const images = new Map(
      findAll(child(child(o.element, 'Resources'), 'Images'), (e) => e.local === 'Image').map((e) => [
        attr(e, 'id'),
        attr(e, 'DefaultValue'),
      ]),
    );
    for (const url of images.values()) assetFor(url);
    for (const use of within(o, (e) => e.local === 'Image' && e.uri === NS.bt && e.attrs.has('resid'))) {
      const size = Number(attr(use, 'size'));
      const url = images.get(attr(use, 'resid'));
      assert.ok(url, `${o.label}: image ${attr(use, 'resid')} is not in Resources/Images`);
      assert.deepEqual(pngSize(assetFor(url)), { width: size, height: size }, `${url} should be ${size}x${size}`);
    }
  }
});

test('every page URL is on the dev origin and is a page webpack builds', () => {
  // launchevent.js is the second webpack compilation's one output (webpack.config.js, never hashed).
  const built = new Set(['taskpane.html', 'commands.html', 'launchevent.js']);
  for (const o of overrides) {
    for (const u of findAll(child(child(o.element, 'Resources'), 'Urls'), (e) => e.local === 'Url')) {
      const url = attr(u, 'DefaultValue');
      assert.ok(url.startsWith(DEV_ORIGIN), `${url} is not on ${DEV_ORIGIN}`);
      assert.ok(built.has(url.slice(DEV_ORIGIN.length)), `${url} is not a page the build emits`);
    }
  }
});

test('ExecuteFunction names and the commands bound by Office.actions.associate are the same set', () => {
  const bound = new Set(Object.keys(COMMANDS));
  for (const o of overrides) {
    const named = new Set(within(o, (e) => e.local === 'FunctionName').map((e) => e.text.trim()));
    for (const name of named) assert.ok(bound.has(name), `${o.label}: FunctionName ${name} has no command in src/commands`);
    for (const name of bound) assert.ok(named.has(name), `${o.label}: command ${name} is bound but not in the manifest`);
  }
});

test('the XML reader rejects what Outlook would reject', () => {
  assert.throws(() => parseXml('<a><b></a></b>'), /closes/);
  assert.throws(() => parseXml('<a x="1" x="2"/>'), /duplicate attribute/);
  assert.throws(() => parseXml('<a>&nbsp;</a>'), /unknown entity/);
  assert.throws(() => parseXml('<a/><b/>'), /after the root/);
  assert.throws(() => parseXml('<p:a/>'), /undeclared namespace prefix/);
  assert.equal(parseXml('<a xmlns:q="urn:q"><q:b t="&lt;&#65;"/></a>').children[0]?.attrs.get('t'), '<A');
});
