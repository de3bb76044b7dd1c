/*
 * What route handlers need from HTTP, one module per job: the route wrapper and 405s, responses,
 * cached responses, request bodies and queries, safe redirects, and the client's address.
 */
export * from '@/lib/http/body';
export * from '@/lib/http/cached-response';
export * from '@/lib/http/client-address';
export * from '@/lib/http/local-path';
export * from '@/lib/http/responses';
export * from '@/lib/http/route';
