import ipaddr from 'ipaddr.js';
import { getEnv } from '@/lib/env';
import { CLIENT_ADDRESS_HEADER } from '@/lib/http/client-address-header.mjs';

/**
 * A client as per-address limits count it: an IPv4 address, an IPv6 network, or `unknown`. Only
 * `addressForLimits` makes one, so no limit can key on an address as it happened to be written.
 */
export type LimitAddress = string & { readonly __brand: 'LimitAddress' };

/**
 * The key every per-address limit counts under. IPv4 (also written IPv4-mapped, `::ffff:10.1.2.3`)
 * is the address itself; IPv6 is its network under RATE_LIMIT_IPV6_PREFIX (a /64 is one customer,
 * so its addresses are one client), in one canonical spelling. Anything that is not an address
 * shares the one `unknown` bucket, so made-up values cannot multiply buckets.
 */
export function addressForLimits(address: string | null | undefined, ipv6Prefix = getEnv().RATE_LIMIT_IPV6_PREFIX): LimitAddress {
  const text = address ?? '';
  // Four-part decimal only: `10.1`, `0xa.1.2.3` or leading zeros are spellings no socket or proxy writes.
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text).toString() as LimitAddress;
  if (!ipaddr.IPv6.isValid(text)) return 'unknown' as LimitAddress;
  const ipv6 = ipaddr.IPv6.parse(text);
  if (ipv6.isIPv4MappedAddress()) return ipv6.toIPv4Address().toString() as LimitAddress;
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${ipv6.toNormalizedString()}/${ipv6Prefix}`);
  return `${network.toRFC5952String()}/${ipv6Prefix}` as LimitAddress;
}

/**
 * The client for per-address limits, from the address Quire's server (server/edge.mjs) worked out
 * from the socket and the proxies TRUST_PROXY names. A client cannot set it: the server replaces
 * the header. Nothing shows or stores the address itself, so this is all the app reads of it.
 */
export function clientAddress(request: Request): LimitAddress {
  return addressForLimits(request.headers.get(CLIENT_ADDRESS_HEADER));
}
