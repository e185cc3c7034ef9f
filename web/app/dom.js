/**
 * A tiny HTML templating helper: `html` escapes every interpolated value unless it is
 * already HTML (the result of `html` or `raw`). Arrays are joined.
 */
import { esc } from '../plots/svg.js';

export class Html {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

/** Trusted HTML (an SVG string from a plot, for instance). */
export function raw(text) {
  return new Html(text);
}

function part(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  return esc(String(value));
}

export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Replaces the content of `element` (or of the element with that id under `root`). */
export function setHtml(element, content) {
  if (element) element.innerHTML = part(content);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}
