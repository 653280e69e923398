// Turns a failed call into a sentence for people, in the current language,
// chosen by the error's reason codes (ErrorInfo.reason, BadRequest field
// violation reasons, QualityReport issue reasons), then by its HTTP status.
// The server's `message` is never shown: it is English for developers and
// names internal services ("auth: username and password are required").
// No DOM access, so all of it is unit-tested in errors.test.ts; the boxes
// that show these sentences are in error_views.ts.
//
//   errorText(e)                                                // any call
//   errorText(e, { statuses: { 403: 'account.wrongPassword' } }) // a page that knows more
//   measuredText(issue)  // "Brightness 39 on a 0–255 scale; at least 60 is needed."

import { formatNumber, hasMessage, t, type MessageKey } from './i18n';
import { ApiError, blockingIssues, qualityReasonName } from './model';
import type { QualityIssue } from './types';

/** What a page knows about its own call, consulted before the general tables. */
export interface ErrorContext {
  /** Sentences for reason codes that mean something more specific on this page. */
  reasons?: Record<string, MessageKey>;
  /** Sentences for HTTP statuses when no reason code says more (e.g. 401 on the login form). */
  statuses?: Partial<Record<number, MessageKey>>;
}

/** Reasons that ask the user to wait: the sentence says how long. */
const THROTTLE_REASONS = new Set(['LOGIN_THROTTLED', 'SIGNUP_THROTTLED', 'PASSWORD_THROTTLED']);

/**
 * ErrorInfo reasons the services send (docs/API.md, services/auth) and their
 * sentences. Credential rule violations (BadRequest) use `auth.reason.<REASON>`.
 */
const REASON_MESSAGES: Record<string, MessageKey> = {
  TOKEN_MISSING: 'auth.sessionExpired',
  TOKEN_EXPIRED: 'auth.sessionExpired',
  TOKEN_INVALID: 'auth.sessionExpired',
  INVALID_CREDENTIALS: 'auth.wrongCredentials',
  USERNAME_TAKEN: 'auth.usernameTaken',
  WRONG_PASSWORD: 'account.wrongPassword',
};

function throttledText(error: ApiError): string {
  return error.retryAfterSeconds !== undefined
    ? t('error.throttled', { seconds: Math.ceil(error.retryAfterSeconds) })
    : t('error.throttledSoon');
}

/** The sentence of one reason code, or undefined when this version does not know it. */
function reasonText(reason: string, error: ApiError, context: ErrorContext): string | undefined {
  const specific = context.reasons?.[reason];
  if (specific) return t(specific);
  if (THROTTLE_REASONS.has(reason)) return throttledText(error);
  if (reason === 'GATEWAY_BUSY') return t('error.busy', { seconds: Math.ceil(error.retryAfterSeconds ?? 1) });
  const known = REASON_MESSAGES[reason];
  if (known) return t(known);
  const rule = `auth.reason.${reason}`;
  return hasMessage(rule) ? t(rule) : undefined;
}

function statusText(error: ApiError): string {
  switch (error.httpStatus) {
    case 0:
      return t('error.network');
    case 400:
      return t('error.badRequest');
    case 401:
      return t('auth.sessionExpired');
    case 403:
      return t('error.forbidden');
    case 404:
      return t('error.notFound');
    case 413:
      return t('error.tooLarge');
    case 415:
      return t('error.unsupported');
    case 429:
      return throttledText(error);
    case 502:
    case 503:
      return t('error.unavailable');
    case 504:
      return t('error.timeout');
    default:
      return t('error.generic');
  }
}

/** A sentence for an error of any call, never containing the server's message. */
export function errorText(error: unknown, context: ErrorContext = {}): string {
  if (!(error instanceof ApiError)) return t('error.generic');
  // Every known reason counts (a weak password can break several rules at once), each said once.
  const texts = [...new Set(error.reasons.map((r) => reasonText(r, error, context)))].filter(
    (text): text is string => text !== undefined,
  );
  if (texts.length > 0) return texts.join(' ');
  const specific = context.statuses?.[error.httpStatus];
  if (specific) return t(specific);
  // A refused photo without a more specific status: its first reason in words.
  const issue = error.quality ? blockingIssues(error.quality)[0] : undefined;
  if (issue && error.httpStatus !== 413 && error.httpStatus !== 415) return issueTexts(issue).title;
  return statusText(error);
}

/** The title and fix of one quality issue, in the current language. */
export function issueTexts(issue: QualityIssue): { title: string; fix: string } {
  const reason = qualityReasonName(issue.reason);
  const key = `reason.${reason}`;
  const fixKey = `reason.${reason}.fix`;
  if (hasMessage(key) && hasMessage(fixKey)) return { title: t(key), fix: t(fixKey) };
  // A reason this version does not know: a general sentence rather than the server's English.
  return { title: t('reason.UNKNOWN'), fix: t('reason.UNKNOWN.fix') };
}

/** How a reason's measured value and threshold are shown: decimals, and a unit conversion. */
const MEASURES: Record<string, { digits: number; scale?: number }> = {
  MULTIPLE_FACES: { digits: 0 },
  FACE_TOO_SMALL: { digits: 0 },
  IMAGE_TOO_SMALL: { digits: 0 },
  BLURRED: { digits: 0 },
  TOO_DARK: { digits: 0 },
  TOO_BRIGHT: { digits: 0 },
  UNEVEN_LIGHTING: { digits: 1 },
  FACE_TURNED: { digits: 0 },
  FACE_TILTED: { digits: 0 },
  // Fractions (of the frame's shorter side, of the face's width): shown as per cent.
  FACE_OFF_CENTER: { digits: 0, scale: 100 },
  FACE_MOVING: { digits: 0, scale: 100 },
  // Measured in bytes; people think in megabytes.
  IMAGE_TOO_LARGE: { digits: 1, scale: 1e-6 },
  IMAGE_TOO_MANY_PIXELS: { digits: 1 },
};

/**
 * The measured value of an issue against its limit, in words with the scale
 * it is on; "" when the issue has no measurement.
 */
export function measuredText(issue: QualityIssue): string {
  if (issue.measuredValue === undefined || issue.threshold === undefined) return '';
  const reason = qualityReasonName(issue.reason);
  const key = `quality.measured.${reason}`;
  const measure = MEASURES[reason];
  if (!measure || !hasMessage(key)) {
    return t('quality.measured', {
      value: formatNumber(issue.measuredValue, 1),
      threshold: formatNumber(issue.threshold, 1),
    });
  }
  const scale = measure.scale ?? 1;
  return t(key, {
    value: formatNumber(issue.measuredValue * scale, measure.digits),
    threshold: formatNumber(issue.threshold * scale, measure.digits),
  });
}
