/**
 * Text from an untrusted source (a trial's output, a model's hypothesis) made safe to
 * show in a terminal: no escape sequence can move the cursor, rewrite a line, change
 * colours, set the window title or hide text, so a trial cannot print a fake "kept" line
 * over the real one.
 */

/* eslint-disable no-control-regex */
/** CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL|ST`), DCS/SOS/PM/APC strings, and two-byte escapes. */
const ESCAPE_SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|$)|\u009b[0-?]*[ -/]*[@-~]|[\u0090\u009d\u0098\u009e\u009f][\s\S]*?(?:\u0007|\u009c|\u001b\\|$)|\u001b[ -/]*[0-~]?/g;
/** C0 controls but tab and newline, DEL, and the C1 controls. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */

/**
 * `text` without terminal control sequences: escape sequences are removed, a carriage
 * return that is not part of a line break becomes a line break (so what it would have
 * overwritten stays visible), other control characters are dropped. Tabs and newlines stay.
 *
 * @example
 * terminalText('trial #3 crash\r\u001b[2Ktrial #3 kept'); // 'trial #3 crash\ntrial #3 kept'
 */
export function terminalText(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text)) return text;
  return text.replace(ESCAPE_SEQUENCES, '').replace(/\r\n/g, '\n').replace(/\r/g, '\n').replace(CONTROLS, '');
}

/** True when `text` holds something `terminalText` would remove or change. */
export function hasControlSequences(text: string): boolean {
  return terminalText(text) !== text;
}
