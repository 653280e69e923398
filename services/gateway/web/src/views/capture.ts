// The analysis page (#/analyse): take a photo with the camera (getUserMedia)
// or choose a file, see it, send it, wait with a progress state, and then
// either go to the result or see why the photo was refused and how to fix it.

import * as api from '../api';
import { navigate, render, state, stopCamera } from '../app';
import { h } from '../dom';
import { errorBox, qualityRefusal } from '../error_views';
import { errorText } from '../errors';
import { loadPhoto } from '../heatmap_image';
import { t } from '../i18n';
import { LiveGuide, guideView } from '../live_guide';
import { ApiError } from '../model';
import type { GuideCaptureResponse } from '../types';

let progressTimer: number | undefined;

function setPhoto(photo: Blob, fileName: string): void {
  if (state.capture.previewUrl) URL.revokeObjectURL(state.capture.previewUrl);
  state.capture.photo = photo;
  state.capture.fileName = fileName;
  state.capture.previewUrl = URL.createObjectURL(photo);
  state.capture.error = undefined;
  state.capture.cameraMessage = undefined;
}

async function startCamera(): Promise<void> {
  state.capture.cameraMessage = undefined;
  if (!navigator.mediaDevices?.getUserMedia) {
    state.capture.cameraMessage = t('capture.cameraUnsupported');
    render();
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 960 } },
      audio: false,
    });
    const video = h('video', { autoplay: true, playsinline: true, muted: true, class: 'camera', 'data-testid': 'camera' });
    video.srcObject = stream;
    state.capture.stream = stream;
    state.capture.video = video;
    startGuidance(video);
  } catch (e) {
    const name = e instanceof DOMException ? e.name : '';
    state.capture.cameraMessage =
      name === 'NotAllowedError' || name === 'SecurityError'
        ? t('capture.cameraPermission')
        : name === 'NotFoundError' || name === 'OverconstrainedError'
          ? t('capture.cameraNotFound')
          : t('capture.cameraDenied', { reason: name || String(e) });
  }
  render();
}

// The overlay over the camera's picture: the face box the gate found and one
// line saying what to change, or that all is right. It is updated in place
// for each answer (a few a second), not by redrawing the page.
function guidanceOverlay(): { root: HTMLElement; show(answer: GuideCaptureResponse): void; say(text: string): void } {
  const box = h('div', { class: 'guide-box', hidden: true, 'data-testid': 'guide-box' });
  const title = h('strong', { 'data-testid': 'guide-title' }, t('guide.starting'));
  const fix = h('span', { 'data-testid': 'guide-fix' }, t('guide.startingFix'));
  const banner = h(
    'div',
    { class: 'guide-banner adjust', role: 'status', 'aria-live': 'polite', 'aria-label': t('guide.label'), 'data-testid': 'guide' },
    title,
    ' ',
    fix,
  );
  const root = h('div', { class: 'guide-overlay' }, h('div', { class: 'guide-boxes' }, box), banner);
  const set = (tone: string, reason: string, titleText: string, fixText: string) => {
    banner.className = `guide-banner ${tone}`;
    banner.dataset.reason = reason;
    // Unchanged words are not set again, so a screen reader does not repeat them every frame.
    if (title.textContent !== titleText) title.textContent = titleText;
    if (fix.textContent !== fixText) fix.textContent = fixText;
  };
  return {
    root,
    show(answer) {
      const view = guideView(answer);
      set(view.tone, view.reason, view.title, view.fix);
      box.hidden = !view.box;
      if (view.box) {
        box.style.left = `${(view.box.left * 100).toFixed(2)}%`;
        box.style.top = `${(view.box.top * 100).toFixed(2)}%`;
        box.style.width = `${(view.box.width * 100).toFixed(2)}%`;
        box.style.height = `${(view.box.height * 100).toFixed(2)}%`;
        box.className = `guide-box ${view.tone}`;
      }
    },
    say(text) {
      set('adjust', 'TROUBLE', text, '');
      box.hidden = true;
    },
  };
}

function startGuidance(video: HTMLVideoElement): void {
  const overlay = guidanceOverlay();
  const guide = new LiveGuide(video, {
    onAnswer: (answer) => overlay.show(answer),
    onCaptureNow: () => takePhoto(true),
    onTrouble: (message) => overlay.say(message),
  });
  state.capture.guide = guide;
  state.capture.guideOverlay = overlay.root;
  guide.start();
}

function takePhoto(automatic = false): void {
  const video = state.capture.video;
  if (!video || video.videoWidth === 0) return;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')?.drawImage(video, 0, 0);
  canvas.toBlob(
    (blob) => {
      if (!blob) return;
      stopCamera();
      setPhoto(blob, 'camera.jpg');
      if (automatic) state.capture.cameraMessage = t('guide.taken');
      render();
    },
    'image/jpeg',
    0.92,
  );
}

async function analyse(): Promise<void> {
  const photo = state.capture.photo;
  if (!photo || state.capture.busy) return;
  state.capture.busy = true;
  state.capture.error = undefined;
  state.capture.startedAt = Date.now();
  render();
  progressTimer = window.setInterval(updateProgressText, 1000);
  // Decoding the photo for the heatmaps overlaps the upload and the analysis.
  const decoding = loadPhoto(photo);
  try {
    const response = await api.diagnose(photo, state.capture.fileName);
    state.resultPhoto?.bitmap.close();
    state.resultPhoto = await decoding;
    state.result = response;
    state.heatmapView = { attribute: 'oil', mode: 'whole' };
    // History and trends changed.
    state.history.loaded = false;
    state.trends.response = undefined;
    state.trends.overview = undefined;
    navigate('#/result');
  } catch (e) {
    void decoding.then((decoded) => decoded?.bitmap.close());
    state.capture.error = e instanceof ApiError ? e : new ApiError(0, '', String(e));
  } finally {
    window.clearInterval(progressTimer);
    state.capture.busy = false;
    render();
  }
  // On a phone the reasons may be below the fold.
  document.querySelector('[data-testid="capture-failure"]')?.scrollIntoView({ block: 'nearest' });
}

function progressText(): string {
  const seconds = Math.floor((Date.now() - (state.capture.startedAt ?? Date.now())) / 1000);
  return t('capture.uploading', { seconds });
}

function updateProgressText(): void {
  const el = document.querySelector('[data-testid="progress-text"]');
  if (el) el.textContent = progressText();
}

function failure(error: ApiError): HTMLElement {
  // 422 is the quality gate; 400/413/415 may carry a QualityReport too (unreadable photo).
  const box =
    error.quality || error.httpStatus === 422 ? qualityRefusal(error.quality, errorText(error)) : errorBox(errorText(error));
  return h('div', { 'data-testid': 'capture-failure' }, box);
}

export function captureView(): HTMLElement {
  const c = state.capture;
  const fileInput = h('input', {
    type: 'file',
    id: 'photo-file',
    accept: 'image/jpeg,image/png,image/webp',
    class: 'visually-hidden',
    'data-testid': 'file-input',
    disabled: c.busy,
  });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    stopCamera();
    setPhoto(file, file.name);
    render();
  });

  const actions = h(
    'div',
    { class: 'actions' },
    h('label', { for: 'photo-file', class: c.busy ? 'button disabled' : 'button' }, c.photo ? t('capture.retake') : t('capture.chooseFile')),
    c.stream
      ? [
          h('button', { type: 'button', class: 'primary', 'data-testid': 'take-photo', onclick: () => takePhoto() }, t('capture.takePhoto')),
          h('button', { type: 'button', onclick: () => (stopCamera(), render()) }, t('capture.stopCamera')),
        ]
      : h('button', { type: 'button', 'data-testid': 'use-camera', disabled: c.busy, onclick: () => void startCamera() }, t('capture.useCamera')),
  );

  const preview = c.stream
    ? h('div', { class: 'preview' }, h('div', { class: 'camera-frame' }, c.video ?? null, c.guideOverlay ?? null))
    : c.previewUrl
      ? h('figure', { class: 'preview' }, h('img', { src: c.previewUrl, alt: t('capture.preview'), 'data-testid': 'preview' }))
      : null;

  return h(
    'section',
    { class: 'panel capture', 'data-testid': 'capture' },
    h('h2', {}, t('capture.title')),
    h('p', { class: 'hint' }, t('capture.intro')),
    fileInput,
    actions,
    c.cameraMessage ? h('p', { class: 'message', role: 'status', 'data-testid': 'camera-message' }, c.cameraMessage) : null,
    preview,
    // The Analyse button and its progress stay on screen (sticky at the bottom) however tall the
    // preview is, so on a phone the wait is seen without scrolling.
    c.photo && !c.stream
      ? h(
          'div',
          { class: 'analyse-bar', 'data-testid': 'analyse-bar' },
          h(
            'button',
            { type: 'button', class: 'primary wide', 'data-testid': 'analyse', disabled: c.busy, onclick: () => void analyse() },
            t('capture.analyse'),
          ),
          c.busy
            ? h(
                'div',
                { class: 'progress', role: 'status', 'aria-live': 'polite', 'data-testid': 'progress' },
                h('progress', {}),
                h('span', { 'data-testid': 'progress-text' }, progressText()),
              )
            : null,
        )
      : null,
    c.error ? failure(c.error) : null,
  );
}
