// Offline structural validation of an Outlook add-in only manifest against the content models of the
// [MS-OWEMXML] schemas: OfficeApp/MailApp 1.1 (section 5.2), mailappversionoverrides 1.0 and 1.1 (5.4,
// 5.5) and officeappbasictypes 1.0 (5.6). Microsoft's XSD files could not be obtained offline here (only
// the 2018 MailAppVersionOverridesV1_1.xsd from OfficeDev/Outlook-Add-in-SSO, without the basic-types
// schema it imports), so this is the "strongest equivalent" of docs/ADMIN.md: the subset of those
// content models that Outlook mail add-ins use, written out as tables — element order and cardinality of
// every xs:sequence, xsi:type choices of the abstract types, required and known attributes, and the
// simple-type facets (GUID, Version, string lengths, enumerations). An element outside the subset is an
// error, never skipped: extend the table from the spec rather than loosen the check.

import { parseXml, type XmlElement } from './xml.js';

export const NS = {
  app: 'http://schemas.microsoft.com/office/appforoffice/1.1',
  bt: 'http://schemas.microsoft.com/office/officeappbasictypes/1.0',
  vo10: 'http://schemas.microsoft.com/office/mailappversionoverrides',
  vo11: 'http://schemas.microsoft.com/office/mailappversionoverrides/1.1',
} as const;
type Ns = keyof typeof NS;

interface Particle {
  name: string;
  ns: Ns;
  type: string;
  min: number;
  max: number;
}
interface ContentModel {
  /** xs:sequence of child elements; absent = no element children. */
  seq?: Particle[];
  required?: string[];
  optional?: string[];
  /** Facet check of the text content; returns a complaint or null. */
  text?: (s: string) => string | null;
  /** Abstract type: xsi:type value → concrete model key. */
  xsiTypes?: Record<string, string>;
}

const U = Number.POSITIVE_INFINITY;
const el = (name: string, ns: Ns, type: string, min = 1, max = 1): Particle => ({ name, ns, type, min, max });
const len = (max: number) => (s: string) => (s.length >= 1 && s.length <= max ? null : `must be 1 to ${max} characters`);
const pattern = (re: RegExp, what: string) => (s: string) => (re.test(s.trim()) ? null : `must be ${what}`);
const oneOf = (values: string[]) => (s: string) => (values.includes(s.trim()) ? null : `must be one of ${values.join(', ')}`);
const BOOLEAN = oneOf(['true', 'false', '1', '0']);
const attrFacets: Record<string, (s: string) => string | null> = {
  DefaultValue: len(2048),
  resid: len(32),
  id: len(125),
  Value: len(2048),
  size: oneOf(['16', '20', '24', '32', '40', '48', '64', '80']),
  // LaunchEventDefinition (5.5): Type is a bt:ShortString, FunctionName a bt:LongString, SendMode a
  // LaunchEventSendMode (2.3.67).
  Type: len(125),
  FunctionName: len(250),
  SendMode: oneOf(['PromptUser', 'SoftBlock', 'Block']),
  // Runtime/@lifetime and Runtime/Override/@type: the values Microsoft documents ("Runtime element",
  // "Override element for Runtime": only the JavaScript-only runtime can be overridden).
  lifetime: oneOf(['short', 'long']),
  type: oneOf(['javascript']),
};

const MODELS: Record<string, ContentModel> = {};

// [MS-OWEMXML] 5.2: OfficeApp (abstract) extended by MailApp.
MODELS['app:MailApp'] = {
  seq: [
    el('Id', 'app', 'app:UUID'),
    el('AlternateId', 'app', 'app:Short', 0),
    el('Version', 'app', 'app:Version'),
    el('ProviderName', 'app', 'app:Short'),
    el('DefaultLocale', 'app', 'app:Culture'),
    el('DisplayName', 'app', 'app:ShortSetting'),
    el('Description', 'app', 'app:LongSetting'),
    el('IconUrl', 'app', 'app:UrlSetting', 0),
    el('HighResolutionIconUrl', 'app', 'app:UrlSetting', 0),
    el('SupportUrl', 'app', 'app:UrlSetting', 0),
    el('AppDomains', 'app', 'app:AppDomains', 0),
    el('Hosts', 'app', 'app:Hosts', 0),
    el('Requirements', 'app', 'app:Requirements', 0),
    el('FormSettings', 'app', 'app:FormSettings'),
    el('Permissions', 'app', 'app:Permissions'),
    el('Rule', 'app', 'app:Rule'),
    el('DisableEntityHighlighting', 'app', 'app:Boolean', 0),
    el('VersionOverrides', 'vo10', 'vo10:VersionOverrides', 0),
  ],
  required: ['xsi:type'],
};
MODELS['app:UUID'] = { text: pattern(/^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/, 'a GUID') };
MODELS['app:Version'] = { text: pattern(/^\d{1,5}(\.\d{1,5}){0,3}$/, 'a version such as 1.0.0.0') };
MODELS['app:Short'] = { text: len(125) };
MODELS['app:Culture'] = { text: pattern(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a culture name such as en-US') };
MODELS['app:Boolean'] = { text: BOOLEAN };
MODELS['app:Permissions'] = { text: oneOf(['Restricted', 'ReadItem', 'ReadWriteItem', 'ReadWriteMailbox']) };
const override = el('Override', 'app', 'app:LocaleOverride', 0, U);
MODELS['app:LocaleOverride'] = { required: ['Locale', 'Value'] };
MODELS['app:ShortSetting'] = { seq: [override], required: ['DefaultValue'] };
MODELS['app:LongSetting'] = { seq: [override], required: ['DefaultValue'] };
MODELS['app:UrlSetting'] = { seq: [override], required: ['DefaultValue'] };
MODELS['app:AppDomains'] = { seq: [el('AppDomain', 'app', 'app:Url', 0, U)] };
MODELS['app:Url'] = { text: len(2048) };
MODELS['app:Hosts'] = { seq: [el('Host', 'app', 'app:Host', 1, U)] };
MODELS['app:Host'] = { required: ['Name'] };
MODELS['app:Requirements'] = { seq: [el('Sets', 'app', 'app:Sets', 0), el('Methods', 'app', 'app:Methods', 0)] };
MODELS['app:Sets'] = { seq: [el('Set', 'app', 'app:Set', 1, U)], optional: ['DefaultMinVersion'] };
MODELS['app:Set'] = { required: ['Name'], optional: ['MinVersion'] };
MODELS['app:Methods'] = { seq: [el('Method', 'app', 'app:Method', 1, U)] };
MODELS['app:Method'] = { required: ['Name'] };
MODELS['app:FormSettings'] = { seq: [el('Form', 'app', 'app:Form', 1, U)] };
MODELS['app:Form'] = { xsiTypes: { ItemRead: 'app:ItemRead', ItemEdit: 'app:ItemEdit' } };
MODELS['app:ItemRead'] = {
  seq: [el('DesktopSettings', 'app', 'app:ReadSettings'), el('TabletSettings', 'app', 'app:ReadSettings', 0), el('PhoneSettings', 'app', 'app:PhoneSettings', 0)],
  required: ['xsi:type'],
};
MODELS['app:ItemEdit'] = {
  seq: [el('DesktopSettings', 'app', 'app:PhoneSettings'), el('TabletSettings', 'app', 'app:PhoneSettings', 0), el('PhoneSettings', 'app', 'app:PhoneSettings', 0)],
  required: ['xsi:type'],
};
MODELS['app:ReadSettings'] = { seq: [el('SourceLocation', 'app', 'app:UrlSetting'), el('RequestedHeight', 'app', 'app:Height', 0)] };
MODELS['app:PhoneSettings'] = { seq: [el('SourceLocation', 'app', 'app:UrlSetting')] };
MODELS['app:Height'] = { text: (s) => (/^\d+$/.test(s.trim()) && Number(s) >= 32 && Number(s) <= 450 ? null : 'must be a whole number from 32 to 450') };
MODELS['app:Rule'] = {
  xsiTypes: {
    RuleCollection: 'app:RuleCollection',
    ItemIs: 'app:ItemIs',
    ItemHasKnownEntity: 'app:ItemHasKnownEntity',
    ItemHasRegularExpressionMatch: 'app:ItemHasRegularExpressionMatch',
    ItemHasAttachment: 'app:ItemHasAttachment',
  },
};
MODELS['app:RuleCollection'] = { seq: [el('Rule', 'app', 'app:Rule', 1, U)], required: ['xsi:type', 'Mode'] };
MODELS['app:ItemIs'] = { required: ['xsi:type', 'ItemType'], optional: ['FormType', 'ItemClass', 'IncludeSubClasses', 'Highlight'] };
MODELS['app:ItemHasKnownEntity'] = { required: ['xsi:type', 'EntityType'], optional: ['RegExFilter', 'FilterName', 'IgnoreCase', 'Highlight'] };
MODELS['app:ItemHasRegularExpressionMatch'] = { required: ['xsi:type', 'RegExName', 'RegExValue', 'PropertyName'], optional: ['IgnoreCase', 'Highlight'] };
MODELS['app:ItemHasAttachment'] = { required: ['xsi:type'] };

// [MS-OWEMXML] 5.6: officeappbasictypes 1.0 (the bt: prefix).
MODELS['bt:Requirements'] = { seq: [el('Sets', 'bt', 'bt:Sets', 0), el('Methods', 'bt', 'bt:Methods', 0)] };
MODELS['bt:Sets'] = { seq: [el('Set', 'bt', 'bt:Set', 1, U)], optional: ['DefaultMinVersion'] };
MODELS['bt:Set'] = { required: ['Name'], optional: ['MinVersion'] };
MODELS['bt:Methods'] = { seq: [el('Method', 'bt', 'bt:Method', 1, U)] };
MODELS['bt:Method'] = { required: ['Name'] };
MODELS['bt:Resources'] = {
  seq: [el('Images', 'bt', 'bt:Images', 0), el('Urls', 'bt', 'bt:Urls', 0), el('ShortStrings', 'bt', 'bt:ShortStrings', 0), el('LongStrings', 'bt', 'bt:LongStrings', 0)],
};
const btOverride = el('Override', 'bt', 'bt:Override', 0, U);
MODELS['bt:Override'] = { required: ['Locale', 'Value'] };
MODELS['bt:Images'] = { seq: [el('Image', 'bt', 'bt:ImageDef', 1, U)] };
MODELS['bt:ImageDef'] = { seq: [btOverride], required: ['id', 'DefaultValue'] };
MODELS['bt:Urls'] = { seq: [el('Url', 'bt', 'bt:UrlDef', 1, U)] };
MODELS['bt:UrlDef'] = { seq: [btOverride], required: ['id', 'DefaultValue'] };
MODELS['bt:ShortStrings'] = { seq: [el('String', 'bt', 'bt:ShortDef', 1, U)] };
MODELS['bt:ShortDef'] = { seq: [btOverride], required: ['id', 'DefaultValue'], text: () => null };
MODELS['bt:LongStrings'] = { seq: [el('String', 'bt', 'bt:LongDef', 1, U)] };
MODELS['bt:LongDef'] = { seq: [btOverride], required: ['id', 'DefaultValue'] };
MODELS['bt:IconList'] = { seq: [el('Image', 'bt', 'bt:IconRef', 1, U)] };
MODELS['bt:IconRef'] = { required: ['size', 'resid'], optional: ['scale'] };
MODELS['bt:Ref'] = { required: ['resid'] };

/** mailappversionoverrides 1.0 (5.4) and 1.1 (5.5) share their types; 1.1 adds pinning, events, runtimes. */
function versionOverrides(ns: 'vo10' | 'vo11'): void {
  const v11 = ns === 'vo11';
  const t = (name: string) => `${ns}:${name}`;
  MODELS[t('VersionOverrides')] = {
    seq: [
      el('Description', ns, 'bt:Ref', 0),
      el('Requirements', ns, 'bt:Requirements', 0),
      el('Hosts', ns, t('Hosts'), 0),
      el('Resources', ns, 'bt:Resources', 0),
      ...(v11 ? [el('WebApplicationInfo', ns, t('WebApplicationInfo'), 0)] : []),
      ...(v11 ? [] : [el('VersionOverrides', 'vo11', 'vo11:VersionOverrides', 0)]),
    ],
    required: ['xsi:type'],
  };
  MODELS[t('WebApplicationInfo')] = { seq: [el('Id', ns, 'app:Short', 0), el('Resource', ns, 'app:Url', 0), el('Scopes', ns, t('Scopes'), 0)] };
  MODELS[t('Scopes')] = { seq: [el('Scope', ns, 'app:Short', 1, U)] };
  MODELS[t('Hosts')] = { seq: [el('Host', ns, t('Host'), 1, U)] };
  MODELS[t('Host')] = { xsiTypes: { MailHost: t('MailHost') } };
  MODELS[t('MailHost')] = {
    seq: [
      ...(v11 ? [el('Runtimes', ns, t('Runtimes'), 0)] : []),
      // [MS-OWEMXML] MailHost (1.1): DesktopFormFactor is a FormFactorWithSupportsSharedFolders.
      el('DesktopFormFactor', ns, v11 ? t('FormFactorShared') : t('FormFactor'), 0),
      el('MobileFormFactor', ns, t('FormFactor'), 0),
    ],
    required: ['xsi:type'],
  };
  MODELS[t('Runtimes')] = { seq: [el('Runtime', ns, t('Runtime'), 1, U)] };
  MODELS[t('Runtime')] = { seq: [el('Override', ns, t('RuntimeOverride'), 0, U)], required: ['resid'], optional: ['lifetime'] };
  MODELS[t('RuntimeOverride')] = { required: ['type', 'resid'] };
  MODELS[t('FormFactor')] = { seq: [el('FunctionFile', ns, 'bt:Ref', 0), el('ExtensionPoint', ns, t('ExtensionPoint'), 1, U)] };
  if (v11) {
    MODELS[t('FormFactorShared')] = {
      seq: [el('SupportsSharedFolders', ns, 'app:Boolean', 0), el('FunctionFile', ns, 'bt:Ref', 0), el('ExtensionPoint', ns, t('ExtensionPoint'), 1, U)],
    };
  }
  const surface = { seq: [el('OfficeTab', ns, t('OfficeTab'), 0, U), el('CustomTab', ns, t('CustomTab'), 0, U)], required: ['xsi:type'] };
  MODELS[t('CommandSurface')] = surface;
  MODELS[t('MobileSurface')] = { seq: [el('Group', ns, t('MobileGroup'))], required: ['xsi:type'] };
  MODELS[t('LaunchEventPoint')] = { seq: [el('LaunchEvents', ns, t('LaunchEvents')), el('SourceLocation', ns, 'bt:Ref')], required: ['xsi:type'] };
  MODELS[t('LaunchEvents')] = { seq: [el('LaunchEvent', ns, t('LaunchEvent'), 1, U)] };
  MODELS[t('LaunchEvent')] = { required: ['Type', 'FunctionName'], optional: ['SendMode'] };
  MODELS[t('ExtensionPoint')] = {
    xsiTypes: {
      MessageReadCommandSurface: t('CommandSurface'),
      MessageComposeCommandSurface: t('CommandSurface'),
      AppointmentOrganizerCommandSurface: t('CommandSurface'),
      AppointmentAttendeeCommandSurface: t('CommandSurface'),
      ...(v11
        ? {
            MobileMessageReadCommandSurface: t('MobileSurface'),
            MobileMessageComposeCommandSurface: t('MobileSurface'),
            LaunchEvent: t('LaunchEventPoint'),
          }
        : {}),
    },
  };
  MODELS[t('OfficeTab')] = { seq: [el('Group', ns, t('Group'), 1, U)], required: ['id'] };
  MODELS[t('CustomTab')] = { seq: [el('Group', ns, t('Group'), 1, U), el('Label', ns, 'bt:Ref')], required: ['id'] };
  MODELS[t('Group')] = { seq: [el('Label', ns, 'bt:Ref'), el('Tooltip', ns, 'bt:Ref', 0), el('Control', ns, t('Control'), 1, U)], required: ['id'] };
  MODELS[t('MobileGroup')] = { seq: [el('Label', ns, 'bt:Ref'), el('Control', ns, t('MobileControl'), 1, U)], required: ['id'] };
  MODELS[t('MobileControl')] = { xsiTypes: { MobileButton: t('MobileButton') } };
  MODELS[t('MobileButton')] = { seq: [el('Label', ns, 'bt:Ref'), el('Icon', ns, 'bt:IconList'), el('Action', ns, t('Action'))], required: ['xsi:type', 'id'] };
  const controlHead = [el('Label', ns, 'bt:Ref'), el('Tooltip', ns, 'bt:Ref', 0), el('Supertip', ns, t('Supertip'))];
  MODELS[t('Control')] = { xsiTypes: { Button: t('Button'), Menu: t('Menu') } };
  MODELS[t('Button')] = { seq: [...controlHead, el('Icon', ns, 'bt:IconList'), el('Action', ns, t('Action'))], required: ['xsi:type', 'id'] };
  MODELS[t('Menu')] = { seq: [...controlHead, el('Icon', ns, 'bt:IconList'), el('Items', ns, t('Items'))], required: ['xsi:type', 'id'] };
  MODELS[t('Items')] = { seq: [el('Item', ns, t('MenuItem'), 1, U)] };
  MODELS[t('MenuItem')] = { seq: [...controlHead, el('Icon', ns, 'bt:IconList', 0), el('Action', ns, t('Action'))], required: ['id'] };
  MODELS[t('Supertip')] = { seq: [el('Title', ns, 'bt:Ref'), el('Description', ns, 'bt:Ref')] };
  MODELS[t('Action')] = { xsiTypes: { ShowTaskpane: t('ShowTaskpane'), ExecuteFunction: t('ExecuteFunction') } };
  MODELS[t('ShowTaskpane')] = {
    // SupportsPinning exists only in the 1.1 schema (MailAppVersionOverridesV1_1.xsd, ShowTaskpane).
    seq: [el('SourceLocation', ns, 'bt:Ref'), ...(v11 ? [el('SupportsPinning', ns, 'app:Boolean', 0)] : [])],
    required: ['xsi:type'],
  };
  MODELS[t('ExecuteFunction')] = { seq: [el('FunctionName', ns, 'app:Short')], required: ['xsi:type'] };
}
versionOverrides('vo10');
versionOverrides('vo11');

const XSI_TYPE = 'xsi:type';

function check(e: XmlElement, typeKey: string, errors: string[]): void {
  const at = `<${e.name}> (line ${e.line})`;
  let model = MODELS[typeKey];
  if (!model) throw new Error(`schema table has no model ${typeKey}`);
  if (model.xsiTypes) {
    const xsi = e.attrs.get(XSI_TYPE);
    const concrete = xsi === undefined ? undefined : model.xsiTypes[xsi];
    if (concrete === undefined) {
      errors.push(`${at}: xsi:type ${JSON.stringify(xsi ?? null)} is not one of ${Object.keys(model.xsiTypes).join(', ')}`);
      return;
    }
    model = MODELS[concrete]!;
  }
  const known = new Set([...(model.required ?? []), ...(model.optional ?? [])]);
  for (const name of model.required ?? []) if (!e.attrs.has(name)) errors.push(`${at}: missing attribute ${name}`);
  for (const [name, value] of e.attrs) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    if (!known.has(name)) errors.push(`${at}: attribute ${name} is not allowed here`);
    const facet = attrFacets[name];
    const complaint = facet?.(value);
    if (complaint) errors.push(`${at}: attribute ${name} ${complaint}`);
  }
  if (model.text) {
    const complaint = model.text(e.text);
    if (complaint) errors.push(`${at}: content ${JSON.stringify(e.text.trim())} ${complaint}`);
  } else if (e.text.trim() !== '') {
    errors.push(`${at}: text content is not allowed here`);
  }
  // xs:sequence of simple particles: deterministic, so a greedy match is exact.
  const seq = model.seq ?? [];
  let i = 0;
  for (const p of seq) {
    let n = 0;
    while (i < e.children.length && n < p.max && e.children[i]!.local === p.name && e.children[i]!.uri === NS[p.ns]) {
      check(e.children[i]!, p.type, errors);
      i++;
      n++;
    }
    if (n < p.min) errors.push(`${at}: missing <${p.name}> (${NS[p.ns]})${i < e.children.length ? ` before <${e.children[i]!.name}> (line ${e.children[i]!.line})` : ''}`);
  }
  if (i < e.children.length) {
    const extra = e.children[i]!;
    const names = seq.map((p) => p.name).join(', ') || 'no child elements';
    errors.push(`<${extra.name}> (line ${extra.line}, ${extra.uri || 'no namespace'}) is not allowed here in ${at}: the schema's sequence is ${names}`);
  }
}

/** Every schema violation in a manifest, each with its line; empty when the manifest conforms. */
export function validateManifest(source: string): string[] {
  const root = parseXml(source);
  if (root.local !== 'OfficeApp' || root.uri !== NS.app) return [`root is <${root.name}> in ${root.uri}, not OfficeApp in ${NS.app}`];
  if (root.attrs.get(XSI_TYPE) !== 'MailApp') return [`OfficeApp xsi:type is ${root.attrs.get(XSI_TYPE) ?? 'missing'}, not MailApp`];
  const errors: string[] = [];
  check(root, 'app:MailApp', errors);
  return errors;
}
