// The log-in and sign-up page (#/login, #/signup). Signing up logs in right
// away with the same credentials.

import * as api from '../api';
import { navigate, showFlash } from '../app';
import { h } from '../dom';
import { errorBox } from '../error_views';
import { errorText, type ErrorContext } from '../errors';
import { t } from '../i18n';
import { saveSession } from '../session';

/**
 * The sentence for a failed sign-up or log-in. Log-in failures without a
 * reason code: 401 is a wrong user ID or password, 400 missing fields (auth
 * sends "username and password are required" with no reason).
 */
function authErrorText(error: unknown, signup: boolean): string {
  const statuses: ErrorContext['statuses'] = signup
    ? { 409: 'auth.usernameTaken' }
    : { 400: 'auth.missingCredentials', 401: 'auth.wrongCredentials', 409: 'auth.usernameTaken' };
  return errorText(error, { statuses });
}

export function authView(mode: 'login' | 'signup'): HTMLElement {
  const signup = mode === 'signup';
  const username = h('input', {
    id: 'username',
    name: 'username',
    autocomplete: 'username',
    required: true,
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: signup ? 'new-password' : 'current-password',
    required: true,
    minlength: signup ? 8 : undefined,
  });
  const message = h('div', { class: 'form-message' });
  const submit = h(
    'button',
    { type: 'submit', class: 'primary', 'data-testid': 'auth-submit' },
    signup ? t('auth.signup') : t('auth.login'),
  );
  const form = h(
    'form',
    { class: 'panel auth', 'data-testid': signup ? 'signup-form' : 'login-form', novalidate: true },
    h('h2', {}, signup ? t('auth.signup') : t('auth.login')),
    h('label', { for: 'username' }, t('auth.username')),
    username,
    h('label', { for: 'password' }, t('auth.password')),
    password,
    signup ? h('p', { class: 'hint' }, t('auth.passwordHint')) : null,
    message,
    submit,
    h(
      'a',
      { href: signup ? '#/login' : '#/signup', class: 'switch-mode', 'data-testid': 'auth-toggle' },
      signup ? t('auth.haveAccount') : t('auth.noAccount'),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.replaceChildren();
    // Checked here (the form is novalidate, so the browser's own English bubbles stay away).
    if (!username.value.trim() || !password.value) {
      message.replaceChildren(errorBox(t('auth.missingCredentials')));
      return;
    }
    submit.disabled = true;
    let registered = false;
    try {
      if (signup) {
        await api.register(username.value.trim(), password.value);
        registered = true;
      }
      const session = await api.login(username.value.trim(), password.value);
      saveSession({
        token: session.token ?? '',
        username: session.username ?? username.value.trim(),
        expireTime: session.expireTime,
      });
      const failed = session.failedAttempts ?? 0;
      if (failed > 0) showFlash('error', t('auth.failedAttempts', { count: failed }));
      navigate('#/analyse');
    } catch (error) {
      // Signed up but the log-in failed (e.g. throttled): the account exists, so log in next.
      message.replaceChildren(errorBox(authErrorText(error, signup && !registered)));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
