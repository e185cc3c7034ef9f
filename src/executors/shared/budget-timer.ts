/** setTimeout fires at once for delays beyond 2^31-1 ms; longer budgets are clamped to this (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The delay for a timer that ends a command at its budget: `timeoutMs`, clamped to what
 * `setTimeout` can wait.
 *
 * @example const budgetTimer = setTimeout(onBudget, budgetTimerMs(request.timeoutMs));
 */
export function budgetTimerMs(timeoutMs: number): number {
  return Math.min(timeoutMs, MAX_TIMER_MS);
}
