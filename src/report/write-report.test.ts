import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import { writeSyntheticStudy } from '../testing/synthetic-study.ts';
import { openStore } from '../store/open-store.ts';
import { writeStudyReport } from './write-report.ts';

/** Tag balance of an XML document (every element closed, in order). */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const match of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}

describe('autolab report', () => {
  let dir: string;
  let store: Store;
  let study: StudyRecord;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autolab-report-'));
    store = await openStore(join(dir, 'autolab.db'));
    study = await writeSyntheticStudy(store, { name: 'synthetic', trials: 120 });
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one self-contained HTML file and Markdown whose image plots exist beside it', async () => {
    const outDir = join(dir, 'out');
    const written = await writeStudyReport({ store, study, objective: { metric: 'val_bpb', direction: 'minimize' }, outDir, incumbentPatch: async (trial) => `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-a\n+incumbent ${trial.id}\n` });
    const html = await readFile(written.html, 'utf8');
    // Self-contained: no script, nothing loaded from anywhere.
    expect(html).not.toMatch(/<script|<link|\bsrc=|@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<svg /g)?.length).toBe(7);
    expect(html).toContain('Score against trial number');
    expect(html).toContain('Chain to the incumbent');
    expect(html).toContain('incumbent');
    expect(html).toMatch(/data-trial="120"/);
    for (const label of ['crash', 'gate_miss']) expect(html).toContain(label);

    const markdown = await readFile(written.markdown, 'utf8');
    const images = [...markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(images.sort()).toEqual(['importance.svg', 'lineage.svg', 'outcomes.svg', 'parallel.svg', 'score.svg', 'slices.svg', 'timeline.svg']);
    for (const image of images) {
      const svg = await readFile(join(outDir, image), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(wellFormed(svg)).toBe(true);
    }
    expect(markdown).toMatch(/\| specialist \| trials \| kept \|/);
    expect(markdown).toContain('```diff');
    // The knob views: importance with its method named, the configuration, knob columns in the tables.
    expect(html).toContain('Knob importance');
    expect(html).toMatch(/fANOVA \(functional ANOVA/);
    expect(html).toContain('val_bpb against each knob');
    expect(html).toMatch(/<th class="num">lr<\/th>/);
    expect(markdown).toMatch(/\| lr \| warmup_steps \| activation \| batch \|/);
    expect(markdown).toContain("## The incumbent's configuration against the baseline");
    expect(existsSync(join(outDir, 'report.html'))).toBe(true);
    expect(html).not.toContain('The front');
  });

  it('shows the front of a multi-objective study: plot, hypervolume over time, members with the recommended trade-off', async () => {
    const outDir = join(dir, 'front');
    const objectives = [
      { metric: 'val_bpb', direction: 'minimize' as const },
      { metric: 'artifact_bytes', direction: 'minimize' as const },
    ];
    const written = await writeStudyReport({ store, study, objective: objectives[0]!, objectives, preference: { weights: { val_bpb: 1 } }, outDir });
    const html = await readFile(written.html, 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(9);
    expect(html).toMatch(/<h2>The front <span class="note">\d+ members? · hypervolume [^<]+ · recommended trade-off #\d+<\/span>/);
    expect(html).toContain('class="front-line"');
    const section = /<section class="card" id="front">[\s\S]*?<\/section>/.exec(html)![0];
    const count = Number(/(\d+) members?/.exec(section)![1]);
    expect(section.match(/<tbody>[\s\S]*<\/tbody>/)![0].match(/<tr/g)?.length).toBe(count);
    expect(section.match(/class="front-recommended"/g)?.length).toBe(1);
    const markdown = await readFile(written.markdown, 'utf8');
    expect(markdown).toContain('## The front');
    expect(markdown).toContain('![The front](front.svg)');
    expect(markdown).toMatch(/\| #\d+ \(recommended\) \|/);
    for (const file of ['front.svg', 'hypervolume.svg']) expect(wellFormed(await readFile(join(outDir, file), 'utf8'))).toBe(true);
  });
});
