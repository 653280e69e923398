// The gateway's HTTP API (its routes are listed in the gateway's
// /v1/openapi.json), called with fetch on the page's own origin. Every
// authenticated call sends `Authorization: Bearer <token>`; failures throw
// ApiError (see model.ts). A 401 on an authenticated call also runs the
// handler given to onUnauthenticated (the app then shows the login page).
//
//   const { token } = await api.login('mina', 'correct horse');
//   const result = await api.diagnose(fileOrBlob);

import { currentSession } from './session';
import { ApiError, parseError } from './model';
import type {
  AttributeName,
  CaptureSession,
  ChangePasswordResponse,
  DeleteAccountResponse,
  DiagnoseResponse,
  ExportDiagnosesResponse,
  GetDiagnosisResponse,
  GetModelInfoResponse,
  GetTrendResponse,
  GuideCaptureResponse,
  ListDiagnosesResponse,
  LoginResponse,
  RegisterResponse,
} from './types';

let unauthenticatedHandler: () => void = () => {};

/** Sets what happens when the gateway says the session is no longer valid. */
export function onUnauthenticated(handler: () => void): void {
  unauthenticatedHandler = handler;
}

interface CallOptions {
  method?: string;
  body?: BodyInit;
  json?: unknown;
  auth?: boolean;
}

async function call<T>(path: string, { method = 'GET', body, json, auth = true }: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (auth) {
    const session = currentSession();
    if (!session) {
      unauthenticatedHandler();
      throw new ApiError(401, 'UNAUTHENTICATED', 'not logged in');
    }
    headers.Authorization = `Bearer ${session.token}`;
  }
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'UNAVAILABLE', e instanceof Error ? e.message : String(e));
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) {
    const error = parseError(response.status, parsed, response.headers.get('Retry-After'));
    if (auth && response.status === 401) unauthenticatedHandler();
    throw error;
  }
  return (parsed ?? {}) as T;
}

export function register(username: string, password: string): Promise<RegisterResponse> {
  return call('/v1/accounts', { method: 'POST', json: { username, password }, auth: false });
}

export function login(username: string, password: string): Promise<LoginResponse> {
  return call('/v1/sessions', { method: 'POST', json: { username, password }, auth: false });
}

export function logout(): Promise<unknown> {
  return call('/v1/sessions/current', { method: 'DELETE' });
}

/** Changes the password; this session stays valid, the account's other sessions end. */
export function changePassword(currentPassword: string, newPassword: string): Promise<ChangePasswordResponse> {
  return call('/v1/account/password', { method: 'POST', json: { currentPassword, newPassword } });
}

export function deleteAccount(password: string): Promise<DeleteAccountResponse> {
  return call('/v1/account', { method: 'DELETE', json: { password } });
}

/**
 * Uploads a photo as multipart/form-data and asks for heatmaps as 8-bit
 * values, which the page colours and lays over the photo itself
 * (heatmap_image.ts): a few hundred kilobytes compressed, where overlay
 * images for every map made the response megabytes.
 */
export function diagnose(photo: Blob, fileName = 'photo.jpg'): Promise<DiagnoseResponse> {
  const form = new FormData();
  form.append('photo', photo, fileName);
  return call('/v1/diagnoses?includeHeatmaps=true', { method: 'POST', body: form });
}

/** A page of history, newest first; `full` adds each diagnosis's regions. */
export function listDiagnoses(pageToken = '', pageSize = 20, full = false): Promise<ListDiagnosesResponse> {
  const q = new URLSearchParams({ pageSize: String(pageSize) });
  if (pageToken) q.set('pageToken', pageToken);
  if (full) q.set('view', 'DIAGNOSIS_VIEW_FULL');
  return call(`/v1/diagnoses?${q.toString()}`);
}

/**
 * The whole history as the gateway's CSV file, in its JSON wrapping (the file
 * base64-encoded, with its type and suggested name), so errors and the
 * session are handled as for every other call.
 */
export function exportDiagnoses(): Promise<ExportDiagnosesResponse> {
  return call('/v1/diagnoses:export');
}

export function getDiagnosis(id: string): Promise<GetDiagnosisResponse> {
  return call(`/v1/diagnoses/${encodeURIComponent(id)}`);
}

export function deleteDiagnosis(id: string): Promise<unknown> {
  return call(`/v1/diagnoses/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Bucket names of TrendBucket without the prefix; NONE = one point per diagnosis. */
export type TrendBucketName = 'NONE' | 'DAY' | 'WEEK' | 'MONTH';

export function getTrend(attribute: AttributeName, bucket: TrendBucketName, timeZone: string): Promise<GetTrendResponse> {
  const q = new URLSearchParams();
  if (bucket !== 'NONE') {
    q.set('bucket', `TREND_BUCKET_${bucket}`);
    if (timeZone) q.set('timeZone', timeZone);
  }
  const query = q.toString();
  return call(`/v1/trends/${attribute}${query ? `?${query}` : ''}`);
}

export function getModelInfo(): Promise<GetModelInfoResponse> {
  return call('/v1/model', { auth: false });
}

/** Opens live capture guidance for the camera (one of the gateway's guidance slots). */
export function createCaptureSession(): Promise<CaptureSession> {
  return call('/v1/captureSessions', { method: 'POST', json: {} });
}

/**
 * Sends one preview frame of a capture session and returns the gate's answer
 * for it. `photoWidth` is the camera's full width, so the face's size is
 * judged as it will be in the photo.
 */
export function judgeCaptureFrame(
  sessionId: string,
  frame: Blob,
  captureTime: string,
  photoWidth: number,
): Promise<GuideCaptureResponse> {
  const q = new URLSearchParams({ captureTime, photoWidth: String(Math.round(photoWidth)) });
  return call(`/v1/captureSessions/${encodeURIComponent(sessionId)}/frames?${q.toString()}`, {
    method: 'POST',
    body: frame,
  });
}

export function deleteCaptureSession(sessionId: string): Promise<unknown> {
  return call(`/v1/captureSessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' });
}
