// The account page (#/account): who is signed in, changing the password,
// exporting the history (CSV, JSON), and deleting the account with every
// analysis, which needs the password and an explicit confirmation.

import * as api from '../api';
import { navigate, resetUserState, showFlash } from '../app';
import { h } from '../dom';
import { errorBox } from '../error_views';
import { errorText } from '../errors';
import { t } from '../i18n';
import { clearSession, currentSession } from '../session';
import { exportPanel } from './account_export';
import { changePasswordForm } from './account_password';

export function accountView(): HTMLElement {
  const username = currentSession()?.username ?? '';
  const password = h('input', {
    id: 'delete-password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'delete-password',
  });
  const confirm = h('input', { id: 'delete-confirm', type: 'checkbox', 'data-testid': 'delete-confirm' });
  const button = h(
    'button',
    { type: 'submit', class: 'danger', disabled: true, 'data-testid': 'delete-account' },
    t('account.deleteButton'),
  );
  const message = h('div', { class: 'form-message' });
  const sync = () => {
    button.disabled = !(confirm.checked && password.value.length > 0);
  };
  confirm.addEventListener('change', sync);
  password.addEventListener('input', sync);

  const form = h(
    'form',
    { class: 'panel danger-zone', 'data-testid': 'delete-account-form' },
    h('h3', {}, t('account.deleteTitle')),
    h('p', {}, t('account.deleteWarning')),
    h('label', { for: 'delete-password' }, t('account.deletePassword')),
    password,
    h('label', { class: 'checkbox' }, confirm, ' ', t('account.deleteConfirm')),
    message,
    button,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!confirm.checked) return;
    button.disabled = true;
    message.replaceChildren();
    try {
      await api.deleteAccount(password.value);
      clearSession();
      resetUserState();
      showFlash('info', t('auth.accountDeleted'));
      navigate('#/login');
    } catch (e) {
      const text = errorText(e, { statuses: { 403: 'account.wrongPassword' } });
      message.replaceChildren(errorBox(text));
      sync();
    }
  });

  return h(
    'section',
    { class: 'panel account', 'data-testid': 'account' },
    h('h2', {}, t('account.title')),
    h('p', {}, t('account.user', { user: username })),
    changePasswordForm(),
    exportPanel(username),
    form,
  );
}
