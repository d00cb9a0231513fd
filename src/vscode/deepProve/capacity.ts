/**
 * How many model calls a Deep Prove run may have in flight. The backend runs `sequences` answers
 * at once (the local engine: its memory plan's sequences; an endpoint: qed.deepProve.endpointConcurrency).
 * Runs going at the same time share them. While a single Prove or a chat answer is being written
 * on the same backend, each run keeps one sequence free for it: the run's calls already in flight
 * go on, and the next one to end hands its sequence to that answer instead of a new agent call.
 * Pure: the controller applies it to CallSlots whenever one of the inputs changes.
 */
export interface CapacityInputs {
  /** Answers the backend runs at once. */
  sequences: number;
  /** Deep Prove runs going now on that backend, this one included. */
  runs: number;
  /** Other answers being written (single Prove, chat). */
  otherAnswers: number;
}

export function runCapacity({ sequences, runs, otherAnswers }: CapacityInputs): number {
  const share = Math.floor(Math.max(1, sequences) / Math.max(1, runs));
  return Math.max(1, share - (otherAnswers > 0 ? 1 : 0));
}
