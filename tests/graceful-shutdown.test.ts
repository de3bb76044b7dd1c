import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * lib/ops/graceful-shutdown.ts in a real process (tests/fixtures/shutdown-server.ts) that gets a real
 * SIGTERM while a request is in flight. e2e/resilience.spec.ts does the same with `next start`.
 */

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-shutdown-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function signalDuringRequest(requestPath: '/slow' | '/stall') {
  const file = path.join(work, `${requestPath.slice(1)}.db`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/shutdown-server.ts', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /port (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`The stand-in server exited early (${code}).`)));
  });

  const agent = new http.Agent({ keepAlive: true });
  const answer = new Promise<{ status?: number; connection?: string; error?: string }>((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path: requestPath, agent }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, connection: response.headers.connection }));
      })
      .on('error', (error) => resolve({ error: error.message }));
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill('SIGTERM');
  const result = { answer: await answer, code: await exited, output, walLeft: fs.existsSync(`${file}-wal`) };
  agent.destroy();
  return result;
}

describe('graceful shutdown', () => {
  it('answers the request in flight, closes its keep-alive connection, closes the database and exits 0', async () => {
    const { answer, code, output, walLeft } = await signalDuringRequest('/slow');
    expect(answer).toEqual({ status: 200, connection: 'close' });
    expect(code).toBe(0);
    expect(output).toContain('SIGTERM received; finishing 1 request(s) in flight');
    expect(walLeft).toBe(false);
  });

  it('cuts a request that outlives the deadline, still closes the database, and does not report success', async () => {
    const { answer, code, output, walLeft } = await signalDuringRequest('/stall');
    expect(answer.error).toBeDefined();
    expect(code).toBe(143);
    expect(output).toContain('1 request(s) still open after 1 s');
    expect(walLeft).toBe(false);
  });
});
