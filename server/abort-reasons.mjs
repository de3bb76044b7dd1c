// @ts-check
/*
 * Works around a memory leak in React's and Next's server rendering (react/react#37288,
 * vercel/next.js#96279, #97434), which made every page render that missed the cache keep about
 * 350 KB for good: a crawler walking a 2,000-post blog took the server past its heap limit, and it
 * stopped with "JavaScript heap out of memory".
 *
 * Each render aborts a few AbortControllers (React's cacheSignal, "This render completed
 * successfully...", and Next's own), often from a setImmediate callback. The reason, an Error or
 * the DOMException of a bare abort(), stays on its signal, and V8 keeps its stack as frames until
 * someone reads `.stack`. Nobody does, and a frame holds its receiver, the Immediate, which holds
 * the render's AsyncLocalStorage store (its RSC payload and HTML) and, through the queue's links,
 * the Immediates of the renders around it. Reading the stack right after the abort turns the
 * frames into a string and lets all of that go. Remove this once React and Next stop keeping it.
 */

/** Makes every AbortController format its reason's stack when it aborts. Idempotent. */
export function releaseAbortReasonFrames() {
  const proto = /** @type {AbortController & { [key: symbol]: unknown }} */ (AbortController.prototype);
  const INSTALLED = Symbol.for('quire.abortReasonFrames');
  if (proto[INSTALLED]) return;
  const abort = proto.abort;
  /** @this {AbortController} @param {unknown} [reason] */
  function abortAndFormatReason(reason) {
    abort.call(this, reason);
    const { reason: kept } = this.signal;
    if (kept instanceof Error) void kept.stack;
  }
  Object.defineProperty(proto, 'abort', { ...Object.getOwnPropertyDescriptor(proto, 'abort'), value: abortAndFormatReason });
  proto[INSTALLED] = true;
}
