// The relay's refusals: one closed union of stable codes, sent to the client as JSON
// `{ "error": code, "message": sentence }` with the HTTP status below, logged with the code (never with
// the request or response body), and asserted by test/security/relay-*.test.ts. The pane maps any refusal
// to the revocation problem 'network' / 'too-large' / 'timeout' (src/taskpane/relay-fetch.ts), so a
// refused lookup is "revocation unknown", never "good".

export const RELAY_REFUSALS = {
  'relay-bad-request': 400, //          no ?url=, an unparsable URL, a URL with user:password@, a fragment
  'relay-scheme': 400, //               a scheme other than http: and https: (file:, ftp:, data:, gopher: …)
  'relay-port': 400, //                 a port other than the scheme's standard one (80, 443)
  'relay-internal-address': 403, //     the target is, or resolves to, a loopback/private/link-local/… address
  'relay-dns': 502, //                  the target name does not resolve
  'relay-redirect-limit': 502, //       more redirects than allowed, or a redirect without a usable Location
  'relay-request-content-type': 415, // an OCSP request not sent as application/ocsp-request
  'relay-request-too-large': 413, //    an OCSP request larger than the cap
  'relay-malformed-request': 400, //    an OCSP request body that is not one DER OCSPRequest
  'relay-content-type': 502, //         the upstream answer has the wrong media type for an OCSP response or CRL
  'relay-too-large': 502, //            the upstream answer exceeds the size cap
  'relay-malformed-response': 502, //   the upstream answer is not a DER OCSPResponse / CertificateList
  'relay-upstream-status': 502, //      the upstream answered with an HTTP error status
  'relay-upstream-unreachable': 502, // connection refused or reset, TLS failure
  'relay-timeout': 504, //              the upstream exchange did not finish in time (slow answers included)
  'relay-rate-limited': 429, //         this client asked too often (per-client limit)
  'relay-busy': 503, //                 the global cap of concurrent upstream exchanges is reached
  'relay-not-found': 404, //            no such relay endpoint
} as const;

export type RelayRefusal = keyof typeof RELAY_REFUSALS;

export class RelayError extends Error {
  override readonly name = 'RelayError';
  constructor(
    readonly code: RelayRefusal,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return RELAY_REFUSALS[this.code];
  }
}

export function isRelayRefusal(v: unknown): v is RelayRefusal {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(RELAY_REFUSALS, v);
}
