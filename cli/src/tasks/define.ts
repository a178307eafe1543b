/** What a task is given besides its input: a way to report how far it got. */
export interface TaskContext<Progress> {
  /** Posted to the thread that asked (TaskRunner's onProgress); plain data only. */
  progress(progress: Progress): void;
}

/**
 * A named unit of work for a task thread. Its input crosses a thread boundary as plain data
 * (structured clone), so `parse` checks it there before `run` trusts its type; its result
 * and progress must be plain data too.
 */
export interface TaskDef<Input, Result, Progress> {
  parse(input: unknown): Input;
  run(input: Input, ctx: TaskContext<Progress>): Promise<Result>;
  /** parse, then run: what the thread calls, the same signature for every task. */
  start(input: unknown, ctx: TaskContext<unknown>): Promise<Result>;
}

export function defineTask<Input, Result, Progress = never>(
  parse: (input: unknown) => Input,
  run: (input: Input, ctx: TaskContext<Progress>) => Promise<Result>,
): TaskDef<Input, Result, Progress> {
  return { parse, run, start: (input, ctx) => run(parse(input), ctx) };
}
