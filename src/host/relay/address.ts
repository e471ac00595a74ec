// Which network addresses the relay may connect to (issue 15, "The relay is safe to expose"): only global
// unicast. Everything else is refused, classified by ipaddr.js after unwrapping IPv4-mapped IPv6
// (::ffff:10.0.0.1 is 10.0.0.1): unspecified (0.0.0.0, ::), loopback, private (RFC 1918), carrier-grade
// NAT (RFC 6598), link-local (169.254/16 incl. cloud metadata at 169.254.169.254, fe80::/10), unique local
// (fc00::/7), multicast, broadcast, the documentation and benchmarking ranges (RFC 5737, RFC 3849,
// RFC 2544, ipaddr.js "reserved"), and the IPv6 forms that embed an IPv4 address which could be internal
// (NAT64 64:ff9b::/96 RFC 6052, 6to4 2002::/16, Teredo, RFC 6145). An allow-list of one range is safer than
// a deny-list: a range nobody thought of is refused.
//
// Test mode (RelayOptions.allowLoopbackForTests) additionally allows loopback (127/8, ::1) and nothing
// else; it exists so the test suite can run real `openssl ocsp` responders on 127.0.0.1 and is never the
// default.

import ipaddr from 'ipaddr.js';

/** Why an address is refused, or null when the relay may connect to it. */
export function addressRefusal(address: string, allowLoopback: boolean): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process(): IPv4-mapped IPv6 becomes the IPv4 address it carries.
    parsed = ipaddr.process(address);
  } catch {
    return 'not an IP address';
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (range === 'loopback' && allowLoopback) return null;
  return range;
}

/** The host of a URL as an IP literal (brackets removed), or null when it is a DNS name. */
export function ipLiteral(hostname: string): string | null {
  const h = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(h) ? h : null;
}
