import { expect } from '@playwright/test';
import { SERVER_ADMIN_TOKEN } from './server-process';

/*
 * Comment load for the specs that kill and restart servers (resilience, postgres): readers posting
 * comments one after another, each from its own address, and what each server answered.
 */

/**
 * What a server under this load needs: the load gives each reader its own address in
 * X-Forwarded-For, which counts only from a trusted proxy. Otherwise every reader is 127.0.0.1, and
 * the render queue's share per address (4 waiting) refuses the load as one reader's flood.
 */
export const LOAD_SERVER_ENV = { TRUST_PROXY: 'loopback' } as const;

export const ADMIN = { Authorization: `Bearer ${SERVER_ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
/** Settings that let a load test through (no minimum form time, a rate limit far above the load) and a post to comment on. */
export async function prepareBlog(url: string): Promise<string> {
  const settings = await fetch(`${url}/api/admin/settings`, {
    method: 'PATCH',
    headers: ADMIN,
    body: JSON.stringify({ minSubmitSeconds: 0, commentRateLimit: { max: 10_000, windowSeconds: 60 } }),
  });
  expect(settings.status).toBe(200);
  const post = await fetch(`${url}/api/posts`, {
    method: 'POST',
    headers: ADMIN,
    body: JSON.stringify({ title: `Resilience ${Date.now()}`, body: 'A post that takes comments under load.', status: 'published' }),
  });
  expect(post.status).toBe(201);
  return ((await post.json()) as { slug: string }).slug;
}

export interface Ack {
  id: number;
  body: string;
}

export interface LoadResult {
  acked: Ack[];
  /** Answers other than 201 (and, with read-back, other than 200 for the read). */
  rejected: string[];
  /** Requests that got no answer: refused or cut connections. */
  networkErrors: string[];
  maxLatencyMs: number;
}

const describeError = (error: unknown) => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
};

/**
 * `clients` readers post comments one after another, each from its own address, to a server
 * picked from `targets()` for every request, until stop() (or, with stopOnNetworkError, until
 * their server is gone). With readBack, each new comment is then read from another live server.
 * inFlightTo(url) tells how many requests to a server are unanswered, as a balancer knows.
 */
export function startCommentLoad({
  clients,
  targets,
  slug,
  tag,
  stopOnNetworkError = false,
  readBack = false,
}: {
  clients: number;
  targets: () => string[];
  slug: string;
  tag: string;
  stopOnNetworkError?: boolean;
  readBack?: boolean;
}) {
  const result: LoadResult = { acked: [], rejected: [], networkErrors: [], maxLatencyMs: 0 };
  const inFlight = new Map<string, number>();
  let stopped = false;
  let sent = 0;
  const pick = (avoid?: string) => {
    const live = targets();
    const others = live.filter((url) => url !== avoid);
    const pool = others.length > 0 ? others : live;
    return pool[sent++ % pool.length]!;
  };

  /** One request; a refused or cut connection becomes an Error naming the request. */
  async function send(target: string, path: string, init?: RequestInit): Promise<{ status: number; text: string }> {
    const started = performance.now();
    inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
    try {
      const response = await fetch(`${target}${path}`, init);
      const text = await response.text();
      result.maxLatencyMs = Math.max(result.maxLatencyMs, performance.now() - started);
      return { status: response.status, text };
    } catch (error) {
      throw new Error(
        `${init?.method ?? 'GET'} ${target}${path}: ${describeError(error)} after ${Math.round(performance.now() - started)} ms`,
      );
    } finally {
      inFlight.set(target, inFlight.get(target)! - 1);
    }
  }

  async function client(n: number) {
    for (let i = 0; !stopped; i++) {
      const body = `${tag} client ${n} comment ${i}`;
      const target = pick();
      try {
        const posted = await send(target, `/api/posts/${slug}/comments`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `10.77.${n}.1` },
          body: JSON.stringify({ authorName: `Reader ${n}`, body }),
        });
        if (posted.status !== 201) {
          result.rejected.push(`POST: ${posted.status} ${posted.text}`);
          continue;
        }
        const { id } = JSON.parse(posted.text) as { id: number };
        result.acked.push({ id, body });
        if (!readBack) continue;
        const read = await send(pick(target), `/api/comments/${id}`);
        if (read.status !== 200) result.rejected.push(`GET /api/comments/${id}: ${read.status} ${read.text}`);
      } catch (error) {
        result.networkErrors.push((error as Error).message);
        if (stopOnNetworkError) return;
      }
    }
  }

  const done = Promise.all(Array.from({ length: clients }, (_, n) => client(n))).then(() => result);
  return {
    result,
    done,
    inFlightTo: (url: string) => inFlight.get(url) ?? 0,
    stop: () => {
      stopped = true;
      return done;
    },
  };
}
