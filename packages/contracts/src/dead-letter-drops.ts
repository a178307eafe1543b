/**
 * What the dead-letter budget (ingest's DeadLetterBudget) kept and dropped, for operators
 * (`GET /api/v1/dead-letters/dropped`): the store keeps a bounded number of bytes of dead
 * letters per MQTT client an hour, and a bounded number of letters a second in all.
 */
export interface DeadLetterDropReport {
  /** Start of the UTC hour the per-client figures count (ISO 8601). */
  hourStart: string;
  /** Bytes of payload, topic and reason kept per client id per hour. */
  bytesPerClientPerHour: number;
  /** Letters kept per second over all clients, on average. */
  lettersPerS: number;
  /** Since the process started. */
  keptTotal: number;
  /** Dropped because their client had used its bytes of the hour, since the process started. */
  droppedOverBudgetTotal: number;
  /** Dropped because too many letters came a second, since the process started. */
  droppedOverRateTotal: number;
  /**
   * This hour's clients, most dropped first, then most bytes kept; at most 100. A message
   * that came without a client id (`airbox worker --broker`) counts for its box's id; a null
   * client id stands for those without either and for the clients beyond the number tracked
   * an hour, which share one budget.
   */
  clients: DeadLetterClientUsage[];
}

export interface DeadLetterClientUsage {
  clientId: string | null;
  keptLetters: number;
  keptBytes: number;
  droppedLetters: number;
  droppedBytes: number;
}
