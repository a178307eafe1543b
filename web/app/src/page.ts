import type { I18n } from './i18n/index.ts';
import type { TestHook } from './test-hook.ts';

/** What every page gets: where to draw, the language, the URL's id and the test hook. */
export interface PageContext {
  root: HTMLElement;
  i18n: I18n;
  /** The decoded `:id` of /school/:id, /device/:id, /embed/:id. */
  id: string;
  params: URLSearchParams;
  hook: TestHook;
  markReady: () => void;
  markFailed: (error: unknown) => void;
}

export type PageModule = { render(ctx: PageContext): Promise<void> };
