/** A study: one search against one task; resumable; owns its trials. */
export interface StudyRecord {
  id: number;
  name: string;
  /** Hash of the parts of the task that judge trials (objective, score, gates, ...). */
  taskHash: string;
  /** The task as loaded when the study was created (JSON of TaskSpec). */
  taskJson: string;
  /** Commit of the baseline in the private repo; null until the workspace exists. */
  baselineCommit: string | null;
  /** Milliseconds the study has been driven, summed over every `run`. */
  elapsedMs: number;
  createdAt: string;
}
