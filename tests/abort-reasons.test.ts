import { AsyncLocalStorage } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { releaseAbortReasonFrames } from '../server/abort-reasons.mjs';

/*
 * The leak server/abort-reasons.mjs works around, in miniature: a render's store (its payload) in
 * AsyncLocalStorage, an AbortController aborted from a setImmediate callback during the render,
 * and the signal kept afterwards, as React keeps its cacheSignal's.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const renders = new AsyncLocalStorage<{ payload: Uint8Array }>();

/** A render that aborts its controller the way React and Next do; resolves with the signal, and a weak reference to the render's payload. */
function render(abort: (controller: AbortController) => void): Promise<{ signal: AbortSignal; payload: WeakRef<Uint8Array> }> {
  const store = { payload: new Uint8Array(1 << 20) };
  const payload = new WeakRef(store.payload);
  return new Promise((resolve) =>
    renders.run(store, () =>
      setImmediate(function finishRender() {
        const controller = new AbortController();
        abort(controller);
        resolve({ signal: controller.signal, payload });
      }),
    ),
  );
}

async function collected(payload: WeakRef<Uint8Array>): Promise<boolean> {
  for (let round = 0; round < 5 && payload.deref(); round++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return payload.deref() === undefined;
}

describe('abort reasons (server/abort-reasons.mjs)', () => {
  beforeAll(() => releaseAbortReasonFrames());

  it.each([
    ['an Error', (controller: AbortController) => controller.abort(new Error('This render completed successfully.'))],
    ['none (a DOMException)', (controller: AbortController) => controller.abort()],
  ])('do not keep the render they were made in, when the reason is %s', async (_, abort) => {
    const { signal, payload } = await render(abort);
    expect(await collected(payload)).toBe(true);
    // The signal is still aborted, with its reason and a readable stack.
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).stack).toContain('finishRender');
  });

  it('installs once however often it is called', () => {
    const abort = AbortController.prototype.abort;
    releaseAbortReasonFrames();
    expect(AbortController.prototype.abort).toBe(abort);
  });
});
