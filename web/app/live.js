/**
 * Live updates: one EventSource per open study. Listeners get each batch of audit-log
 * events (debounced), and the header shows whether the stream is connected.
 */
import { api } from './api.js';

let current = null;

function indicator(state) {
  const element = document.getElementById('live');
  if (!element) return;
  element.hidden = state === 'none';
  element.classList.toggle('off', state === 'off');
  if (state !== 'none') element.querySelector('.live-text').textContent = state === 'on' ? 'live' : 'reconnecting…';
}

/** Follows `study` (closing the previous stream when it changes); returns the stream. */
export function follow(study) {
  if (current && current.study === study) return current;
  stop();
  const listeners = new Set();
  let pending = [];
  let timer = null;
  const source = new EventSource(api.eventsUrl(study));
  current = { study, source, listeners, lastId: 0 };
  const stream = current;
  source.addEventListener('open', () => indicator('on'));
  source.addEventListener('hello', () => indicator('on'));
  source.addEventListener('error', () => indicator('off'));
  source.addEventListener('study', (message) => {
    const event = JSON.parse(message.data);
    stream.lastId = Math.max(stream.lastId, event.id);
    pending.push(event);
    if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        const batch = pending;
        pending = [];
        for (const listener of listeners) listener(batch);
      }, 150);
    }
  });
  return stream;
}

/** Calls `listener(events)` for each batch of live events of the followed study. */
export function onLive(listener) {
  if (!current) return () => {};
  current.listeners.add(listener);
  const stream = current;
  return () => stream.listeners.delete(listener);
}

export function stop() {
  if (current) {
    current.source.close();
    current = null;
  }
  indicator('none');
}
