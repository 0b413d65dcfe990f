/**
 * A test worker for the scheduler: replies to each message with the payload and the number of
 * messages this worker has handled, after `payload.delayMs` milliseconds.
 *
 * @module
 */

const scope = globalThis as unknown as {
  onmessage: (e: MessageEvent<{ delayMs?: number }>) => void;
  postMessage: (data: unknown) => void;
};
let handled = 0;
scope.onmessage = (e) => {
  setTimeout(() => {
    handled++;
    scope.postMessage({ payload: e.data, handled });
  }, e.data.delayMs ?? 0);
};
