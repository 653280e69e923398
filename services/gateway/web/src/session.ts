// The login session: the bearer token and user name, kept in sessionStorage
// (gone when the tab closes; never in URLs or cookies).
//
//   saveSession({ token, username }); currentSession()?.token; clearSession();

export interface Session {
  token: string;
  username: string;
  expireTime?: string;
}

const KEY = 'skinlens.session';

export function currentSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token) return null;
    if (s.expireTime && Date.parse(s.expireTime) <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
