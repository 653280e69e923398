// The "change password" form of the account page. The gateway keeps the
// session that changed the password and ends the account's others, so the
// user stays logged in here and is told how many other sessions ended.

import * as api from '../api';
import { h } from '../dom';
import { errorBox } from '../error_views';
import { errorText } from '../errors';
import { t } from '../i18n';

export function changePasswordForm(): HTMLElement {
  const current = h('input', {
    id: 'current-password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'current-password',
  });
  const next = h('input', {
    id: 'new-password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: 8,
    'data-testid': 'new-password',
  });
  const button = h(
    'button',
    { type: 'submit', class: 'primary', disabled: true, 'data-testid': 'change-password' },
    t('account.passwordButton'),
  );
  const message = h('div', { class: 'form-message' });
  const sync = () => {
    button.disabled = !(current.value.length > 0 && next.value.length > 0);
  };
  current.addEventListener('input', sync);
  next.addEventListener('input', sync);

  const form = h(
    'form',
    { class: 'panel', 'data-testid': 'change-password-form', novalidate: true },
    h('h3', {}, t('account.passwordTitle')),
    h('label', { for: 'current-password' }, t('account.currentPassword')),
    current,
    h('label', { for: 'new-password' }, t('account.newPassword')),
    next,
    h('p', { class: 'hint' }, t('auth.passwordHint')),
    message,
    button,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.replaceChildren();
    try {
      const response = await api.changePassword(current.value, next.value);
      current.value = '';
      next.value = '';
      const revoked = response.revokedSessionCount ?? 0;
      message.replaceChildren(
        h(
          'p',
          { class: 'message', role: 'status', 'data-testid': 'password-changed' },
          t('account.passwordChanged'),
          revoked > 0 ? ` ${t('account.sessionsRevoked', { count: revoked })}` : null,
        ),
      );
    } catch (e) {
      // Both password checks of the API say WRONG_PASSWORD (403); here it is the current one.
      const text = errorText(e, {
        reasons: { WRONG_PASSWORD: 'account.wrongCurrentPassword' },
        statuses: { 403: 'account.wrongCurrentPassword' },
      });
      message.replaceChildren(errorBox(text));
    } finally {
      sync();
    }
  });
  return form;
}
