/**
 * Roles of specialists: built-in presets for the usual parts of a training recipe, or
 * the user's own text. A role tells the agent what kind of change it owns; its surface
 * (the paths it may edit) is set separately in the task file.
 */

/** The built-in role presets, by name. */
export const ROLE_PRESETS = {
  optimizer:
    'You own the optimisation of training: the optimizer and its hyperparameters, learning-rate schedule and warmup, ' +
    'weight decay, gradient clipping, batch size and accumulation, initialisation scales, loss scaling. ' +
    'Prefer changes with a clear mechanism (e.g. "the loss plateaus early: a longer warmup and cosine decay should help") over blind sweeps.',
  architecture:
    'You own the model architecture: depth and width, attention and MLP variants, normalisation, activations, ' +
    'embeddings and positional encodings, weight tying, residual scaling, parameter sharing. ' +
    'Respect the size and time budgets the gates and the run timeout impose; a bigger model that misses a gate is a failure.',
  data:
    'You own the data pipeline: tokenisation, sequence length, sampling and ordering, filtering and deduplication, ' +
    'augmentation, curriculum, train/validation handling inside the recipe (never the evaluator-owned held-out data).',
  systems:
    'You own throughput and efficiency: mixed precision, compilation, kernel choices, memory layout, data loading, ' +
    'parallelism, checkpointing and anything that buys more useful training within the same wall-clock budget. ' +
    'A faster step only helps if the recipe turns it into more training or a better score.',
  generalist:
    'You may change anything in the recipe that is not protected. Pick the single change you expect to improve the ' +
    'objective most given what the lineage shows, whatever part of the recipe it touches.',
} as const satisfies Record<string, string>;

export type RolePreset = keyof typeof ROLE_PRESETS;

/**
 * The role text for a specialist: the preset's text when `role` names one, the user's
 * own text otherwise, and a plain default when no role is given.
 *
 * @example roleText('optimizer') // 'You own the optimisation of training: ...'
 * @example roleText('You tune the tokenizer only.') // 'You tune the tokenizer only.'
 */
export function roleText(role: string | undefined): string {
  if (role === undefined || role.trim() === '') return 'You improve the recipe within your surface.';
  const preset = (ROLE_PRESETS as Record<string, string>)[role.trim()];
  return preset ?? role.trim();
}

/** True when `role` names a built-in preset. */
export function isRolePreset(role: string): role is RolePreset {
  return Object.hasOwn(ROLE_PRESETS, role);
}
