/**
 * The executor a task asks for now comes from the executor registry; this module keeps
 * the engine's import path (`open-study.ts`) working.
 */
export { executorForTask, repeatsTogether, type TaskExecutorOptions } from '../executors/registry.ts';
export { PhaseRoutedExecutor } from '../executors/phase-routed-executor.ts';
