// Revocation through the organisation's relay (src/host/relay/, docs/ADMIN.md "Organisation host and
// revocation relay"): a `fetch` for checkRevocation() that sends each OCSP request and CRL download to the
// relay on the pane's own origin instead of to the responder, which a browser page cannot reach (plain
// http, no CORS). Everything else about the check is unchanged: the answers are verified here exactly as
// if fetched directly (signature, authorised responder, CertID, freshness), so the relay is a transport
// the reader does not have to trust. A refused or failed relay lookup is an HTTP error status, which the
// OCSP/CRL clients report as revocation 'unknown' ('http-status'), never as 'good'.
//
// Only the two kinds of request the revocation clients make are relayed (OCSP: POST
// application/ocsp-request; CRL: GET accepting application/pkix-crl). Anything else — AIA caIssuers
// fetches, for one — fails as a network error, so the relay is never used as a general proxy.

/** A fetch that routes OCSP and CRL requests through the relay at `relayBase` (e.g. "https://host/relay"). */
export function relayFetch(relayBase: string, base: typeof fetch): typeof fetch {
  const root = relayBase.endsWith('/') ? relayBase.slice(0, -1) : relayBase;
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init.headers);
    const method = (init.method ?? 'GET').toUpperCase();
    const common: RequestInit = { signal: init.signal ?? null, credentials: 'omit', cache: 'no-store', redirect: 'error' };
    if (method === 'POST' && headers.get('content-type') === 'application/ocsp-request') {
      return base(`${root}/ocsp?url=${encodeURIComponent(target)}`, {
        ...common,
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
        body: init.body ?? null,
      });
    }
    if (method === 'GET' && (headers.get('accept') ?? '').includes('application/pkix-crl')) {
      return base(`${root}/crl?url=${encodeURIComponent(target)}`, { ...common, method: 'GET', headers: { accept: 'application/pkix-crl' } });
    }
    throw new TypeError('Only OCSP and CRL requests go through the revocation relay.');
  }) as typeof fetch;
}
