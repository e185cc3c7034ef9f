/**
 * Which skipped tests needed a service (PostgreSQL, Slurm, bubblewrap, Chromium, Python
 * with scikit-learn), and the one command that starts those services locally: read from
 * `.ci/services/*.sh` (each exports the `AUTOLAB_TEST_*` variable its tests read) and
 * from the skipped tests' own sources. The vitest reporter beside it prints the result.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One `.ci/services/<name>.sh` script and the variable it exports for the tests. */
export interface ServiceScript {
  /** `postgres`, `slurm`, ... */
  name: string;
  /** Relative to the repository root. */
  script: string;
  /** The `AUTOLAB_TEST_*` variable it exports, and its value, if any. */
  variable: string | null;
  value: string | null;
  /** The script's first descriptive comment line. */
  description: string;
}

/** The service scripts of a repository. */
export function serviceScripts(root: string): ServiceScript[] {
  const folder = join(root, '.ci', 'services');
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith('.sh')).sort();
  } catch {
    return [];
  }
  return names.map((file) => {
    const text = readFileSync(join(folder, file), 'utf8');
    const exported = /^export (AUTOLAB_TEST_[A-Z0-9_]+)=("?)([^"\n]*)\2\s*$/m.exec(text);
    const description = (text.split('\n').find((line) => line.startsWith('# ') && !line.startsWith('# shellcheck'))?.slice(2).trim() ?? file).replace(/[.:]$/, '');
    return { name: file.replace(/\.sh$/, ''), script: `.ci/services/${file}`, variable: exported?.[1] ?? null, value: exported?.[3] ?? null, description };
  });
}

/** Words in a test's source (or a helper it imports) that tie it to a service. */
const CLUES: Array<{ pattern: RegExp; service: string }> = [
  { pattern: /\bprobeBwrap\b|sandbox-probe/, service: 'bwrap' },
  { pattern: /\bsklearn\b|hasSklearn/, service: 'python' },
  { pattern: /\bchromium\b/i, service: 'chromium' },
  { pattern: /\bpostgresTestUrl\b|testing\/postgres/, service: 'postgres' },
  { pattern: /slurm-for-tests|\bslurmForTests\b/, service: 'slurm' },
];

/** The source of a test file and of the local modules it imports (one level), for clues. */
function sourcesOf(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const imported = [...text.matchAll(/from ['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => resolve(dirname(file), match[1]!));
  return [text, ...imported.map((path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  })].join('\n');
}

/** The services a test file needs, by the variables and helpers its source names. */
export function servicesOfTestFile(file: string, services: readonly ServiceScript[]): string[] {
  const text = sourcesOf(file);
  const found = new Set<string>();
  for (const service of services) if (service.variable !== null && text.includes(service.variable)) found.add(service.name);
  for (const clue of CLUES) if (clue.pattern.test(text) && services.some((service) => service.name === clue.service)) found.add(clue.service);
  return [...found].sort();
}

/** How a test's own name (its describe and skip reason included) names a service. */
const NAMED_IN_TEST: Readonly<Record<string, RegExp>> = {
  postgres: /postgres/i,
  slurm: /slurm/i,
  bwrap: /bwrap|bubblewrap/i,
  chromium: /chromium|browser/i,
  python: /sklearn|scikit|python/i,
};

/**
 * The services one skipped test needs: those its full name (or skip note) names, else
 * the one service its file's source points to; none when that is ambiguous.
 */
export function servicesOfTest(test: SkippedTest, fileServices: readonly string[], services: readonly ServiceScript[]): string[] {
  const named = services.filter((service) => (service.variable !== null && test.name.includes(service.variable)) || NAMED_IN_TEST[service.name]?.test(test.name)).map((service) => service.name);
  if (named.length > 0) return named;
  return fileServices.length === 1 ? [...fileServices] : [];
}

/** A skipped test: its file and name. */
export interface SkippedTest {
  file: string;
  name: string;
}

/**
 * What to print after a run with skipped tests: per service whose variable is unset,
 * the skipped tests it would run; then the one command that starts them all and runs
 * the tests with their variables; then the skips no service explains. Empty when
 * nothing was skipped.
 *
 * @example explainSkipped('/repo', skipped, process.env).join('\n')
 */
export function explainSkipped(root: string, skipped: readonly SkippedTest[], env: NodeJS.ProcessEnv): string[] {
  if (skipped.length === 0) return [];
  const services = serviceScripts(root);
  const byService = new Map<string, SkippedTest[]>();
  const unexplained: SkippedTest[] = [];
  const fileServices = new Map<string, string[]>();
  for (const test of skipped) {
    if (!fileServices.has(test.file)) fileServices.set(test.file, servicesOfTestFile(test.file, services));
    const missing = servicesOfTest(test, fileServices.get(test.file)!, services).filter((name) => {
      const service = services.find((candidate) => candidate.name === name)!;
      return service.variable === null || env[service.variable] === undefined || env[service.variable] === '';
    });
    if (missing.length === 0) unexplained.push(test);
    for (const name of missing) byService.set(name, [...(byService.get(name) ?? []), test]);
  }
  const lines = [`${skipped.length} test${skipped.length === 1 ? '' : 's'} skipped.`];
  if (byService.size > 0) {
    lines.push('These need services that are not running here (with CI=true they fail instead):');
    for (const [name, tests] of byService) {
      const service = services.find((candidate) => candidate.name === name)!;
      const files = [...new Set(tests.map((test) => relative(root, test.file)))];
      lines.push(`  ${name}: ${tests.length} test${tests.length === 1 ? '' : 's'} in ${files.join(', ')} (${service.description}${service.variable ? `; sets ${service.variable}` : ''})`);
    }
    const chosen = services.filter((service) => byService.has(service.name));
    const start = `sudo bash -c 'apt_install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; }; for s in ${chosen.map((service) => service.name).join(' ')}; do source .ci/services/$s.sh; done'`;
    const variables = chosen.filter((service) => service.variable !== null).map((service) => `${service.variable}=${service.value ?? '1'}`);
    lines.push('Start them (as root, on Debian or Ubuntu) and run the tests with their variables:');
    lines.push(`  ${start} && ${variables.length > 0 ? `${variables.join(' ')} ` : ''}npm test`);
  }
  if (unexplained.length > 0) {
    const files = [...new Set(unexplained.map((test) => relative(root, test.file)))];
    lines.push(`${unexplained.length} skipped for other reasons (the platform, a probe of this machine; see the skipIf in ${files.join(', ')})`);
  }
  return lines;
}
