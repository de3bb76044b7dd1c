// @ts-check
/*
 * The header that carries the client's address from Quire's server (server/edge.mjs sets it) to the
 * app (lib/http/client-address.ts reads it). Plain JavaScript in lib/, so the server imports it
 * without a build step and lib/ never imports server/.
 */
export const CLIENT_ADDRESS_HEADER = 'x-quire-client-address';
