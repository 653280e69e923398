// The app's shared state and navigation: which page is shown (the URL hash,
// e.g. #/history; never a token), a one-shot flash message, and re-rendering
// after a change (language switch, finished request). Views read and write
// `state` and call render() when it changed.
//
//   navigate('#/history');
//   showFlash('info', t('history.deleted'));

import type { ApiError } from './model';
import type { AttributeName, DiagnoseResponse, Diagnosis, GetTrendResponse, ModelInfo, TrendPoint } from './types';
import type { TrendBucketName } from './api';
import type { DecodedPhoto } from './heatmap_image';

/** Everything a view needs to draw itself again (e.g. after the language changes). */
export interface AppState {
  modelInfo?: ModelInfo;
  flash?: { kind: 'info' | 'error'; text: string; shownOn?: string };
  capture: {
    photo?: Blob;
    fileName?: string;
    previewUrl?: string;
    busy: boolean;
    startedAt?: number;
    error?: ApiError;
    stream?: MediaStream;
    video?: HTMLVideoElement;
    /** Live guidance of the running camera (live_guide.ts) and the overlay it draws on. */
    guide?: { stop(): void };
    guideOverlay?: HTMLElement;
    cameraMessage?: string;
  };
  /** The latest Diagnose response, shown on #/result. */
  result?: DiagnoseResponse;
  /** The photo of `result`, decoded, which its heatmaps are drawn over. */
  resultPhoto?: DecodedPhoto;
  /** The record opened from history, shown on #/history/<id>. */
  opened?: { id: string; diagnosis?: Diagnosis; error?: ApiError };
  heatmapView: { attribute: AttributeName; mode: 'whole' | 'region' };
  history: { items: Diagnosis[]; nextPageToken: string; loaded: boolean; loading: boolean; error?: ApiError };
  trends: {
    attribute: AttributeName;
    bucket: TrendBucketName;
    response?: GetTrendResponse;
    loading: boolean;
    error?: ApiError;
    /** All five attributes' points for the overview chart, at `bucket`; without `points` while loading. */
    overview?: { bucket: TrendBucketName; points?: Record<AttributeName, TrendPoint[]>; error?: ApiError };
  };
}

export const state: AppState = {
  capture: { busy: false },
  heatmapView: { attribute: 'oil', mode: 'whole' },
  history: { items: [], nextPageToken: '', loaded: false, loading: false },
  trends: { attribute: 'oil', bucket: 'NONE', loading: false },
};

let renderer: () => void = () => {};

/** Sets the function that draws the whole page (main.ts). */
export function setRenderer(fn: () => void): void {
  renderer = fn;
}

/** Draws the page again from `state`. */
export function render(): void {
  renderer();
}

/** Shows another page (by its hash, e.g. '#/history'). */
export function navigate(hash: string): void {
  if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

/** A message shown on the next drawn page until the user leaves it. */
export function showFlash(kind: 'info' | 'error', text: string): void {
  state.flash = { kind, text };
}

/** Forgets everything of the signed-in user (after logout or account deletion). */
export function resetUserState(): void {
  stopCamera();
  if (state.capture.previewUrl) URL.revokeObjectURL(state.capture.previewUrl);
  state.capture = { busy: false };
  state.result = undefined;
  state.resultPhoto?.bitmap.close();
  state.resultPhoto = undefined;
  state.opened = undefined;
  state.history = { items: [], nextPageToken: '', loaded: false, loading: false };
  state.trends = { ...state.trends, response: undefined, error: undefined, loading: false, overview: undefined };
}

export function stopCamera(): void {
  state.capture.guide?.stop();
  state.capture.guide = undefined;
  state.capture.guideOverlay = undefined;
  state.capture.stream?.getTracks().forEach((track) => track.stop());
  state.capture.stream = undefined;
  state.capture.video = undefined;
}
