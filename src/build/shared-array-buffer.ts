// The `SharedArrayBuffer` binding webpack gives bundled modules that name it as a free variable
// (ProvidePlugin in webpack.config.js): the global's value, read once when this module is evaluated.
//
// Why: @peculiar/utils (asn1js 4's byte helpers) tests `typeof SharedArrayBuffer !== "undefined"` in every
// `toUint8Array`, several times per ASN.1 node. A page that is not cross-origin isolated has no such global
// (HTML: SharedArrayBuffer is exposed only with crossOriginIsolated), and on a window a missed global
// lookup falls through to the WindowProperties named-property interceptor (WebIDL §3.7.4, HTML "named
// access on the Window object"), which V8 cannot cache: in the read pane that was ~80 ms of the cold first
// badge, parsing the ~110 built-in roots (bench/pane-latency.ts). A module-local binding with the same
// value keeps the semantics (`typeof` is "undefined" exactly where the global is missing) at no cost.

const value: SharedArrayBufferConstructor | undefined = (globalThis as { SharedArrayBuffer?: SharedArrayBufferConstructor }).SharedArrayBuffer;
export default value;
