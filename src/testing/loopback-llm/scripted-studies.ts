import { afterEach } from 'vitest';
import type { Script } from './loopback-server.ts';
import { openScriptedStudy, type ScriptedStudy } from './scripted-study.ts';

/**
 * Registers an `afterEach` that closes the study the test opened (its loopback server and
 * repo too); returns the opener, `openScriptedStudy` over `fixture`.
 *
 * @example
 * const studies = useScriptedStudies(FIXTURE);
 * it('submits', async () => { const s = await studies.open((url) => taskYaml(url), [reply.tool('submit', { hypothesis: 'h' })]); });
 */
export function useScriptedStudies(fixture: string): { open(taskYaml: (baseUrl: string) => string, script?: Script, files?: Record<string, string>): Promise<ScriptedStudy> } {
  let current: ScriptedStudy | null = null;
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return {
    async open(taskYaml, script, files) {
      current = await openScriptedStudy(fixture, taskYaml, script, files);
      return current;
    },
  };
}
