// Entry point: draws the page frame (title, language switch, demo-model
// notice, navigation, footer) and the page named by the URL hash, and
// re-draws on navigation and language changes.
//
// Pages: #/login #/signup (signed out); #/analyse #/result #/history
// #/history/<id> #/trends #/account (signed in; otherwise -> #/login).

import './styles.css';
import * as api from './api';
import { navigate, render, resetUserState, setRenderer, showFlash, state, stopCamera } from './app';
import { h, replaceChildren } from './dom';
import { rememberFocus, restoreFocus } from './focus_keep';
import { detectLanguage, language, setLanguage, t } from './i18n';
import { clearSession, currentSession } from './session';
import { accountView } from './views/account';
import { authView } from './views/auth';
import { captureView } from './views/capture';
import { historyView, openedView } from './views/history';
import { diagnosisView } from './views/result';
import { destroyTrendChart, trendsView } from './views/trends';

const root = document.getElementById('app')!;
let lastRoute = '';

function route(): string {
  return location.hash.replace(/^#/, '') || '/analyse';
}

async function logout(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // The session is dropped here whatever the server says; it expires there anyway.
  }
  clearSession();
  resetUserState();
  showFlash('info', t('auth.loggedOut'));
  navigate('#/login');
}

function header(signedIn: boolean, path: string): HTMLElement {
  const navLink = (hash: string, key: Parameters<typeof t>[0], id: string) =>
    h(
      'a',
      {
        href: hash,
        'data-testid': `nav-${id}`,
        'aria-current': path === hash.slice(1) || path.startsWith(`${hash.slice(1)}/`) ? 'page' : undefined,
      },
      t(key),
    );
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'brand' },
      h('h1', {}, t('app.title')),
      h('span', { class: 'tagline' }, t('app.tagline')),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'lang-switch',
        lang: language() === 'en' ? 'ko' : 'en',
        // The name is the visible word (in the other language, hence lang); what it does is
        // its description, so speech input ("click 한국어") and screen readers agree.
        title: t('lang.switchLabel'),
        'data-testid': 'lang-switch',
        onclick: () => {
          setLanguage(language() === 'en' ? 'ko' : 'en', true);
          render();
        },
      },
      t('lang.switch'),
    ),
    signedIn
      ? h(
          'nav',
          { class: 'mainnav' },
          navLink('#/analyse', 'nav.analyse', 'analyse'),
          navLink('#/history', 'nav.history', 'history'),
          navLink('#/trends', 'nav.trends', 'trends'),
          navLink('#/account', 'nav.account', 'account'),
          h(
            'button',
            { type: 'button', class: 'link', 'data-testid': 'logout', onclick: () => void logout() },
            t('nav.logout'),
          ),
        )
      : null,
  );
}

function page(path: string): HTMLElement {
  if (path === '/login' || path === '/signup') return authView(path === '/signup' ? 'signup' : 'login');
  if (path === '/result' && state.result?.diagnosis) {
    return diagnosisView(state.result.diagnosis, state.result.saved ?? false, state.resultPhoto);
  }
  if (path === '/history') return historyView();
  if (path.startsWith('/history/')) return openedView(decodeURIComponent(path.slice('/history/'.length)));
  if (path === '/trends') return trendsView();
  if (path === '/account') return accountView();
  return captureView();
}

function draw(): void {
  let path = route();
  const signedIn = currentSession() !== null;
  if (!signedIn && path !== '/login' && path !== '/signup') {
    path = '/login';
    if (location.hash !== '#/login') history.replaceState(null, '', '#/login');
  } else if ((signedIn && (path === '/login' || path === '/signup')) || (path === '/result' && !state.result?.diagnosis)) {
    // Logged in already, or a reloaded result page (results live in memory only).
    path = '/analyse';
    history.replaceState(null, '', '#/analyse');
  }
  if (path !== lastRoute) {
    if (lastRoute === '/analyse') stopCamera();
    if (lastRoute === '/trends') destroyTrendChart();
  }
  const changedPage = path !== lastRoute;
  const firstDraw = lastRoute === '';
  lastRoute = path;
  const kept = changedPage ? undefined : rememberFocus(root);

  const demo = state.modelInfo?.demoModel === true;
  // A flash message stays on the page where it was first shown, until the next page.
  if (changedPage && state.flash?.shownOn !== undefined) state.flash = undefined;
  const flash = state.flash;
  if (flash) flash.shownOn ??= path;
  // Focusable by script only (tabindex -1): the skip link's target, and where focus goes
  // when a new page is shown, so a screen reader starts reading the new content.
  const main = h('main', { id: 'view', tabindex: '-1' }, page(path));
  replaceChildren(
    root,
    h(
      'a',
      {
        class: 'skip-link',
        href: '#view',
        'data-testid': 'skip-link',
        // The hash is the router's: a plain jump to #view would be read as a page.
        onclick: (event: Event) => {
          event.preventDefault();
          main.focus();
        },
      },
      t('a11y.skipToContent'),
    ),
    header(signedIn, path),
    demo ? h('p', { class: 'notice demo', role: 'alert', 'data-testid': 'demo-notice' }, t('demo.notice')) : null,
    flash && flash.text
      ? h('p', { class: `message ${flash.kind}`, role: 'status', 'data-testid': 'flash' }, flash.text)
      : null,
    main,
    h(
      'footer',
      {},
      h('p', {}, t('app.disclaimer')),
      state.modelInfo?.version ? h('p', { class: 'muted' }, t('footer.model', { version: state.modelInfo.version })) : null,
    ),
  );
  if (changedPage) window.scrollTo(0, 0);
  if (changedPage && !firstDraw) main.focus({ preventScroll: true });
  else restoreFocus(root, kept, main);
}

async function loadModelInfo(): Promise<void> {
  try {
    state.modelInfo = (await api.getModelInfo()).modelInfo ?? {};
    render();
  } catch {
    // No model yet (503): no notice now; results still say when the demo model graded them.
  }
}

setLanguage(detectLanguage());
setRenderer(draw);
api.onUnauthenticated(() => {
  if (!currentSession()) return;
  clearSession();
  resetUserState();
  showFlash('error', t('auth.sessionExpired'));
  navigate('#/login');
});
window.addEventListener('hashchange', () => render());
render();
void loadModelInfo();
