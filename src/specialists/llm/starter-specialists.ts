/**
 * Starter specialists that `autolab init` can write into a new task file: a set of llm
 * specialists for a training recipe (optimizer, architecture, data, systems), or one
 * generalist that may edit everything not protected (the single-agent control).
 */

export type StarterSet = 'training' | 'generalist';

const MODEL_CHOICES = `#   model: anthropic:claude-sonnet-4-5      # key from $ANTHROPIC_API_KEY
#   model: openai:gpt-4.1                   # key from $OPENAI_API_KEY
#   model: openai-compatible:qwen2.5-coder  # your own GPUs: vLLM, Ollama, llama.cpp server, LM Studio
#   base_url: http://127.0.0.1:8000/v1      # required for openai-compatible; overrides the endpoint of the others`;

const TRAINING = `# Starter specialists for a training recipe: each is an llm agent with a role preset
# (optimizer, architecture, data, systems, generalist; or write your own text as role).
# They share the surface "train" here; split the recipe into surfaces (e.g. model.py,
# data.py) to give each its own edit radius. Pick one model per specialist:
${MODEL_CHOICES}
# Optional per specialist: knowledge: [notes/known-tricks.md] (pinned in its context),
# library: techniques/ (notes it lists and reads), max_steps: 30, wall_time: 20m.
# Run \`autolab run --no-lineage\` for the control arm (specialists see only the incumbent's score).
specialists:
  - { name: optimizer, kind: llm, surface: train, role: optimizer, model: anthropic:claude-sonnet-4-5 }
  - { name: architecture, kind: llm, surface: train, role: architecture, model: anthropic:claude-sonnet-4-5 }
  - { name: data, kind: llm, surface: train, role: data, model: anthropic:claude-sonnet-4-5 }
  - { name: systems, kind: llm, surface: train, role: systems, model: anthropic:claude-sonnet-4-5 }
#  - { name: claude-code, kind: command, surface: train, role: optimizer, timeout: 20m,
#      command: 'claude -p "$(cat {prompt_file})" --permission-mode acceptEdits' }
`;

const GENERALIST = `# One generalist llm agent that may edit everything not protected (surface "everything"):
# the single-agent control of the published auto-research results. Compare it with a team
# of specialists, and with \`autolab run --no-lineage\` (the agent sees only the incumbent's score).
${MODEL_CHOICES}
specialists:
  - { name: generalist, kind: llm, surface: everything, role: generalist, model: anthropic:claude-sonnet-4-5 }
`;

const SPEND = `
# Prices of models (USD per million tokens) missing from autolab's built-in table, or to
# override it; budget.usd above stops new proposals once the study has spent that much.
# prices:
#   "openai-compatible:qwen2.5-coder": { input: 0, output: 0 }
`;

/**
 * Rewrites the specialists section of `initTemplate`'s text with a starter set (and,
 * for the generalist, adds the surface `everything`; for both, a USD budget).
 *
 * @example writeFile('autolab.yaml', withStarterSpecialists(initTemplate({ name }), 'training'));
 */
export function withStarterSpecialists(template: string, set: StarterSet): string {
  const section = /^specialists: \[\]\n(?:#.*\n)*/m;
  if (!section.test(template)) throw new Error('the task file template has no `specialists: []` section to replace');
  let text = template.replace(section, () => (set === 'training' ? TRAINING : GENERALIST));
  if (set === 'generalist') {
    text = text.replace(/^surfaces:\n/m, () => 'surfaces:\n  everything:\n    paths: [.]                # the whole recipe; protected paths stay read-only\n');
  }
  text = text.replace(/^budget:\n/m, () => 'budget:\n  usd: 20                    # USD the specialists may spend on models in the study\n');
  return text.replace(/^# Size limits checked by the evaluator\.$/m, (line) => `${SPEND.trim()}\n\n${line}`);
}
