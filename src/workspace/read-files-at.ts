/**
 * Many files at many commits in two git processes: `cat-file --batch-check` names the
 * blob of each `commit:path`, then `cat-file --batch` reads each distinct blob once.
 * For views that read the same few files at every trial's commit (knob values).
 */
import { gitBuffer } from './git.ts';

/** One file at one commit. */
export interface FileAtCommit {
  commit: string;
  path: string;
}

/** A file's blob id and text, or null when the commit has no such file. */
export type BlobText = { blob: string; text: string } | null;

/** Requests per git call, so one call's output stays a few megabytes. */
const CHUNK = 500;

/**
 * Reads `requests` from the repo at `gitDir`; results are in request order. Blobs whose
 * id is in `known` are not read again (their text comes back as `''` with the blob id):
 * callers that cache what they parsed per blob pass the ids they hold.
 *
 * @example
 * const [config] = await readFilesAt(gitDir, [{ commit, path: 'config.json' }]);
 * config?.text; // the file's text
 */
export async function readFilesAt(gitDir: string, requests: readonly FileAtCommit[], known: ReadonlySet<string> = new Set()): Promise<BlobText[]> {
  const results: BlobText[] = [];
  for (let start = 0; start < requests.length; start += CHUNK) {
    const chunk = requests.slice(start, start + CHUNK);
    const names = chunk.map((request) => (/[\n\r\0]/.test(request.commit + request.path) ? null : `${request.commit}:${request.path.replace(/^(?:\.\/)+/, '')}`));
    const check = (await gitBuffer(['cat-file', '--batch-check'], { gitDir, input: names.map((name) => name ?? 'invalid').join('\n') + '\n' })).toString('utf8').split('\n');
    const blobs = names.map((name, i) => {
      const [oid, type] = (check[i] ?? '').split(' ');
      return name !== null && type === 'blob' && oid ? oid : null;
    });
    const wanted = [...new Set(blobs.filter((oid): oid is string => oid !== null && !known.has(oid)))];
    const texts = wanted.length === 0 ? new Map<string, string>() : parseBatch(await gitBuffer(['cat-file', '--batch'], { gitDir, input: wanted.join('\n') + '\n' }));
    for (const oid of blobs) results.push(oid === null ? null : { blob: oid, text: texts.get(oid) ?? '' });
  }
  return results;
}

/** Splits `cat-file --batch` output into blob id -> text. */
function parseBatch(output: Buffer): Map<string, string> {
  const texts = new Map<string, string>();
  let at = 0;
  while (at < output.length) {
    const headerEnd = output.indexOf(0x0a, at);
    if (headerEnd < 0) break;
    const [oid, type, sizeText] = output.toString('utf8', at, headerEnd).split(' ');
    if (type === undefined || sizeText === undefined || oid === undefined) {
      at = headerEnd + 1; // `<name> missing`
      continue;
    }
    const size = Number(sizeText);
    texts.set(oid, output.toString('utf8', headerEnd + 1, headerEnd + 1 + size));
    at = headerEnd + 1 + size + 1;
  }
  return texts;
}
