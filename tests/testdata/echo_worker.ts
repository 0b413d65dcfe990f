/**
 * A test worker for the scheduler: replies to each message with the payload and the number of
 * messages this worker has handled, after `payload.delayMs` milliseconds.
 *
 * @module
 */

let handled = 0;
self.onmessage = (e: MessageEvent) => {
  const payload = e.data as { delayMs?: number };
  setTimeout(() => {
    handled++;
    self.postMessage({ payload, handled });
  }, payload.delayMs ?? 0);
};
