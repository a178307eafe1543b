import './styles.css';
import { createI18n, pickLang } from './i18n/index.ts';
import type { PageModule } from './page.ts';
import { errorBox } from './shell.ts';
import { installTestHook } from './test-hook.ts';

/**
 * One HTML page, nine routes. Each page is its own chunk, so the classroom projector and
 * the embed widget never download MapLibre and deck.gl.
 */
const ROUTES: { pattern: RegExp; name: string; load: () => Promise<PageModule> }[] = [
  { pattern: /^\/$/, name: 'map', load: () => import('./map/map-page.ts') },
  {
    pattern: /^\/school\/([^/]+)\/?$/,
    name: 'school',
    load: () => import('./school/school-page.ts'),
  },
  {
    pattern: /^\/device\/([^/]+)\/?$/,
    name: 'device',
    load: () => import('./device/device-page.ts'),
  },
  {
    pattern: /^\/download\/?$/,
    name: 'download',
    load: () => import('./download/download-page.ts'),
  },
  { pattern: /^\/embed\/([^/]+)\/?$/, name: 'embed', load: () => import('./embed/embed-page.ts') },
  {
    pattern: /^\/sign-in\/?$/,
    name: 'sign-in',
    load: () => import('./account/sign-in-page.ts'),
  },
  { pattern: /^\/me\/?$/, name: 'me', load: () => import('./account/my-boxes-page.ts') },
  { pattern: /^\/org\/([^/]+)\/?$/, name: 'org', load: () => import('./account/org-page.ts') },
  {
    pattern: /^\/reset-password\/?$/,
    name: 'reset-password',
    load: () => import('./account/reset-page.ts'),
  },
];

async function start(): Promise<void> {
  const root = document.getElementById('app');
  if (root === null) throw new Error('index.html has no #app element');
  const params = new URLSearchParams(window.location.search);
  const i18n = createI18n(pickLang(window.location.search, navigator.languages));
  document.documentElement.lang = i18n.lang;
  document.title = i18n.t('appTitle');

  const path = window.location.pathname;
  const route = ROUTES.find((r) => r.pattern.test(path)) ?? ROUTES[0];
  if (route === undefined) return;
  const match = route.pattern.exec(path);
  let id = '';
  try {
    id = decodeURIComponent(match?.[1] ?? '');
  } catch {
    id = match?.[1] ?? '';
  }
  const { hook, markReady, markFailed } = installTestHook(route.name);
  document.body.dataset['page'] = route.name;
  try {
    const page = await route.load();
    await page.render({ root, i18n, id, params, hook, markReady, markFailed });
  } catch (error) {
    root.append(errorBox(i18n, error));
    markFailed(error);
  }
}

void start();
