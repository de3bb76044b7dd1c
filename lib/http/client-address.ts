import { CLIENT_ADDRESS_HEADER } from '@/server/edge.mjs';

/**
 * The client's address for rate limits, as Quire's server (server/edge.mjs) worked it out from the
 * socket and the proxies TRUST_PROXY names. A client cannot set it: the server replaces the header.
 */
export function clientAddress(request: Request): string {
  return request.headers.get(CLIENT_ADDRESS_HEADER) || 'unknown';
}
