import { afterEach, describe, expect, it } from 'vitest';
import { errorText, issueTexts, measuredText } from './errors';
import { setLanguage, TABLES } from './i18n';
import { parseError } from './model';

// Error bodies as the gateway writes them (http_error.cc: protobuf's JSON
// mapping of the status, details with their @type); the messages carry the
// stage prefix FromGrpcStatus (common/grpc/rich_status.h) adds.
const T = 'type.googleapis.com/skinlens.v1.';
const body = (code: number, status: string, message: string, details: unknown[] = []) => ({
  error: { code, status, message, details },
});
const errorInfo = (reason: string, domain = 'auth.skinlens') => ({ '@type': `${T}ErrorInfo`, reason, domain });
const violations = (...reasons: string[]) => ({
  '@type': `${T}BadRequest`,
  fieldViolations: reasons.map((reason) => ({ field: 'new_password', description: 'rule text', reason })),
});

const emptyLogin = parseError(400, body(400, 'INVALID_ARGUMENT', 'auth: username and password are required'));
const wrongLogin = parseError(401, body(401, 'UNAUTHENTICATED', 'auth: invalid username or password', [errorInfo('INVALID_CREDENTIALS')]));
const wrongCurrent = parseError(403, body(403, 'PERMISSION_DENIED', 'auth: wrong password', [errorInfo('WRONG_PASSWORD')]));
const weakNew = parseError(
  400,
  body(400, 'INVALID_ARGUMENT', 'auth: the password breaks the rules', [violations('PASSWORD_TOO_SHORT', 'PASSWORD_TOO_COMMON')]),
);
const throttled = parseError(
  429,
  body(429, 'RESOURCE_EXHAUSTED', 'auth: too many attempts', [errorInfo('PASSWORD_THROTTLED'), { '@type': `${T}RetryInfo`, retryDelay: '30s' }]),
  '30',
);
const tooDark = parseError(
  422,
  body(422, 'FAILED_PRECONDITION', 'preprocess: photo refused by the quality gate', [
    {
      '@type': `${T}QualityReport`,
      issues: [{ reason: 'QUALITY_REASON_TOO_DARK', severity: 'QUALITY_SEVERITY_BLOCKING', measuredValue: 39.4, threshold: 60, message: 'Face too dark' }],
    },
  ]),
);
const internal = parseError(500, body(500, 'INTERNAL', 'history: sqlite: disk I/O error'));
const unknownReason = parseError(400, body(400, 'INVALID_ARGUMENT', 'explain: bad input', [violations('FEATURE_MAP_SHAPE_MISMATCH')]));

afterEach(() => setLanguage('en'));

describe('errorText', () => {
  const all = { emptyLogin, wrongLogin, wrongCurrent, weakNew, throttled, tooDark, internal, unknownReason };

  it('never shows the server message or a service name, in either language', () => {
    for (const lang of ['en', 'ko'] as const) {
      setLanguage(lang);
      for (const [name, e] of Object.entries(all)) {
        const text = errorText(e);
        expect(text, name).not.toContain(e.message);
        expect(text, name).not.toMatch(/\b(auth|preprocess|inference|explain|history|gateway):/);
        expect(text.trim(), name).not.toBe('');
      }
      expect(errorText(new TypeError('auth: x is undefined'))).toBe(TABLES[lang]['error.generic']);
    }
  });

  it('chooses the sentence by reason code', () => {
    expect(errorText(wrongLogin)).toBe('Wrong user ID or password.');
    expect(errorText(wrongCurrent)).toBe('The password is wrong.');
    expect(errorText(weakNew)).toBe(
      'The password is too short: use at least 8 characters. This password is too common; choose another.',
    );
    expect(errorText(throttled)).toBe('Too many attempts. Try again in 30 s.');
    setLanguage('ko');
    expect(errorText(wrongLogin)).toBe('아이디 또는 비밀번호가 틀렸습니다.');
    expect(errorText(weakNew)).toContain('비밀번호가 너무 짧습니다');
  });

  it('lets a page say more for its own reasons and statuses', () => {
    expect(errorText(wrongCurrent, { reasons: { WRONG_PASSWORD: 'account.wrongCurrentPassword' } })).toBe(
      'The current password is wrong.',
    );
    expect(errorText(emptyLogin, { statuses: { 400: 'auth.missingCredentials' } })).toBe('Enter your user ID and password.');
    setLanguage('ko');
    expect(errorText(emptyLogin, { statuses: { 400: 'auth.missingCredentials' } })).toBe('아이디와 비밀번호를 입력하세요.');
    // A reason code the page did not name still wins over its status sentence.
    expect(errorText(weakNew, { statuses: { 400: 'auth.missingCredentials' } })).toContain('너무 짧습니다');
  });

  it('falls back to the status, then to a generic sentence', () => {
    expect(errorText(emptyLogin)).toBe('The request was not accepted. Check what you entered and try again.');
    expect(errorText(unknownReason)).toBe('The request was not accepted. Check what you entered and try again.');
    expect(errorText(internal)).toBe('Something went wrong. Please try again.');
    expect(errorText(parseError(0, undefined))).toBe('The server cannot be reached. Check your connection and try again.');
    expect(errorText(parseError(503, 'Service Unavailable'))).toBe('The service is busy or unavailable. Try again shortly.');
  });

  it('names the first reason of a refused photo', () => {
    expect(errorText(tooDark)).toBe('The photo is too dark.');
    setLanguage('ko');
    expect(errorText(tooDark)).toBe('사진이 너무 어둡습니다.');
  });

  it('tells how long to wait when the gateway is busy', () => {
    const busy = parseError(429, body(429, 'RESOURCE_EXHAUSTED', 'gateway busy', [errorInfo('GATEWAY_BUSY', 'gateway.skinlens')]), '2');
    expect(errorText(busy)).toBe('Many analyses are running right now. Try again in 2 s.');
  });
});

describe('measuredText', () => {
  it('explains the measured value with its scale', () => {
    const issue = tooDark.quality!.issues![0]!;
    expect(measuredText(issue)).toBe('Brightness 39 on a 0–255 scale; at least 60 is needed.');
    setLanguage('ko');
    expect(measuredText(issue)).toBe('밝기 39 (0–255 기준), 최소 60 필요.');
  });

  it('converts bytes to megabytes, and keeps one decimal for ratios', () => {
    expect(measuredText({ reason: 'QUALITY_REASON_IMAGE_TOO_LARGE', measuredValue: 18_400_000, threshold: 15_000_000 })).toBe(
      'The file has 18.4 MB; at most 15.0 MB is allowed.',
    );
    expect(measuredText({ reason: 'QUALITY_REASON_UNEVEN_LIGHTING', measuredValue: 2.04, threshold: 1.6 })).toBe(
      'One side of the face is 2.0 times as bright as the other; at most 1.6 times is allowed.',
    );
  });

  it('is empty without a measurement, and generic for a reason it does not know', () => {
    expect(measuredText({ reason: 'QUALITY_REASON_NO_FACE' })).toBe('');
    expect(measuredText({ reason: 'QUALITY_REASON_NEW_ONE', measuredValue: 3, threshold: 2 })).toBe('Measured 3.0; limit 2.0.');
  });

  it('has a sentence for every reason it formats, in both languages', () => {
    for (const reason of ['MULTIPLE_FACES', 'FACE_TOO_SMALL', 'IMAGE_TOO_SMALL', 'BLURRED', 'TOO_DARK', 'TOO_BRIGHT', 'UNEVEN_LIGHTING', 'FACE_TURNED', 'FACE_TILTED', 'FACE_OFF_CENTER', 'FACE_MOVING', 'IMAGE_TOO_LARGE', 'IMAGE_TOO_MANY_PIXELS']) {
      const text = measuredText({ reason: `QUALITY_REASON_${reason}`, measuredValue: 1, threshold: 2 });
      expect(text, reason).not.toMatch(/^Measured/);
      expect(text, reason).not.toContain('{');
    }
  });
});

describe('issueTexts', () => {
  it('uses a localised general sentence for a reason this version does not know', () => {
    setLanguage('ko');
    expect(issueTexts({ reason: 'QUALITY_REASON_NEW_ONE', message: 'Some English from the server' })).toEqual({
      title: '사진이 품질 검사를 통과하지 못했습니다.',
      fix: '밝은 곳에서 얼굴이 선명하게 나오도록 다시 찍으세요.',
    });
  });
});
