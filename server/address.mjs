// @ts-check
/*
 * Where Quire's server listens, decided once: server/index.mjs listens there, and lib/env.ts takes
 * it as the blog's address when SITE_URL is unset, so the scripts (admin:create) name the same one.
 */

/** The port when neither `-p` nor PORT gives one. */
export const DEFAULT_PORT = 3000;

/**
 * The host and port a server started with these options (`-H`, `-p`) and environment listens on,
 * and the URL that reaches it from this machine (localhost when it listens on every interface).
 * @param {{ hostname?: string, port?: string | number }} [options]
 * @param {Record<string, string | undefined>} [env]
 */
export function serverAddress({ hostname, port } = {}, env = process.env) {
  const host = hostname ?? env.HOSTNAME ?? '0.0.0.0';
  const number = Number(port ?? env.PORT ?? DEFAULT_PORT);
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return { hostname: host, port: number, url: `http://${shown}:${number}` };
}
