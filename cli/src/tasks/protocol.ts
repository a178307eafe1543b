/** What a task thread is started with (its workerData). */
export interface TaskStart {
  /** The TypeScript module to import after registering tsx (entry.ts); null when bundled. */
  module: string | null;
  name: string;
  input: unknown;
}

/** The error a task threw, as plain data: its class name, code (if coded) and message. */
export interface RemoteError {
  name: string;
  code: string | null;
  message: string;
}

/** What a task thread posts: progress any number of times, then one result or one error. */
export type TaskMessage =
  | { kind: 'progress'; progress: unknown }
  | { kind: 'result'; result: unknown }
  | { kind: 'error'; error: RemoteError };

export function remoteError(e: unknown): RemoteError {
  if (!(e instanceof Error)) return { name: 'Error', code: null, message: String(e) };
  const code = 'code' in e && typeof e.code === 'string' ? e.code : null;
  return { name: e.name, code, message: e.message };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Checks a message's shape; what a task posts is otherwise that task's own business. */
export function isTaskMessage(m: unknown): m is TaskMessage {
  if (!isRecord(m)) return false;
  if (m['kind'] === 'progress' || m['kind'] === 'result') return true;
  const error = m['error'];
  return m['kind'] === 'error' && isRecord(error) && typeof error['message'] === 'string';
}
