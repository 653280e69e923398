// Live capture guidance in camera mode: while the camera runs, small preview
// frames go to the gateway's capture session (one POST per frame, the next
// only after the answer, at most a few a second), each answer is shown over
// the preview, and when the gateway says captureNow the photo is taken.
//
// guideView() turns an answer into what the page shows (pure, unit-tested);
// LiveGuide runs the frame loop for one camera.
//
//   const guide = new LiveGuide(video, { onAnswer: show, onCaptureNow: takePhoto, onTrouble: say });
//   guide.start();  ...  guide.stop();

import * as api from './api';
import { issueTexts } from './errors';
import { t } from './i18n';
import { ApiError } from './model';
import type { GuideCaptureResponse, QualityIssue } from './types';

/** What the overlay says and where it draws the face box. */
export interface GuideView {
  /** ready: all is right; adjust: something to fix first. */
  tone: 'ready' | 'adjust';
  title: string;
  fix: string;
  /** The reason shown (QUALITY_REASON_... without the prefix), '' when ready. */
  reason: string;
  /** The face's box as fractions of the frame (left and top of its corner), when one was found. */
  box?: { left: number; top: number; width: number; height: number };
}

/** The issue the overlay names: the first blocking one of a frame not ready; a moving face of one that is. */
function shownIssue(answer: GuideCaptureResponse): QualityIssue | undefined {
  const issues = answer.issues ?? [];
  if (!answer.ready) return issues.find((i) => i.severity === 'QUALITY_SEVERITY_BLOCKING') ?? issues[0];
  return issues.find((i) => i.reason === 'QUALITY_REASON_FACE_MOVING');
}

/** The overlay for one answer that was not skipped. */
export function guideView(answer: GuideCaptureResponse): GuideView {
  const width = answer.frameWidth ?? 0;
  const height = answer.frameHeight ?? 0;
  const b = answer.face?.box;
  const box =
    b && width > 0 && height > 0 && (b.width ?? 0) > 0
      ? {
          left: ((b.centerX ?? 0) - (b.width ?? 0) / 2) / width,
          top: ((b.centerY ?? 0) - (b.height ?? 0) / 2) / height,
          width: (b.width ?? 0) / width,
          height: (b.height ?? 0) / height,
        }
      : undefined;
  if (answer.error) {
    return { tone: 'adjust', title: t('guide.unreadable'), fix: t('guide.unreadable.fix'), reason: 'UNREADABLE' };
  }
  const issue = shownIssue(answer);
  if (issue) {
    const { title, fix } = issueTexts(issue);
    return { tone: 'adjust', title, fix, reason: (issue.reason ?? '').replace(/^QUALITY_REASON_/, ''), box };
  }
  if (!answer.ready) return { tone: 'adjust', title: t('reason.UNKNOWN'), fix: t('reason.UNKNOWN.fix'), reason: 'UNKNOWN', box };
  return { tone: 'ready', title: t('guide.ready'), fix: t('guide.ready.fix'), reason: '', box };
}

export interface LiveGuideHandlers {
  /** An answer to show (skipped answers are not passed on). */
  onAnswer(answer: GuideCaptureResponse): void;
  /** The gateway says a photo taken now passes: take it. The loop has stopped. */
  onCaptureNow(): void;
  /** Guidance cannot go on for now (busy, unreachable); the camera still works without it. */
  onTrouble(message: string): void;
}

export interface LiveGuideOptions {
  /** Shortest time between two frames sent, in ms (200: at most 5 a second). */
  minIntervalMs?: number;
  /** Longer side of a frame sent, in pixels (the gateway takes at most 640). */
  maxSide?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

/** The guidance loop of one camera. */
export class LiveGuide {
  private stopped = false;
  private sessionId?: string;
  private readonly canvas = document.createElement('canvas');
  private readonly minIntervalMs: number;
  private readonly maxSide: number;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly handlers: LiveGuideHandlers,
    options: LiveGuideOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 200;
    this.maxSide = options.maxSide ?? 640;
  }

  start(): void {
    void this.run();
  }

  /** Ends the loop and the gateway's session (its slot is freed at once). */
  stop(): void {
    this.stopped = true;
    this.closeSession();
  }

  private closeSession(): void {
    const id = this.sessionId;
    this.sessionId = undefined;
    if (id) void api.deleteCaptureSession(id).catch(() => undefined);
  }

  /** Opens a session, waiting out a busy gateway; false when guidance cannot start. */
  private async open(): Promise<boolean> {
    while (!this.stopped) {
      try {
        const session = await api.createCaptureSession();
        if (this.stopped) {
          this.sessionId = session.captureSessionId;
          this.closeSession();
          return false;
        }
        this.sessionId = session.captureSessionId;
        return Boolean(this.sessionId);
      } catch (e) {
        if (!(e instanceof ApiError) || !this.retryLater(e)) return false;
        await sleep((e.retryAfterSeconds ?? 2) * 1000);
      }
    }
    return false;
  }

  /** Says why guidance paused; true when it is worth trying again later. */
  private retryLater(e: ApiError): boolean {
    if (e.httpStatus === 401) return false; // The app shows the log-in page.
    if (e.httpStatus === 429) {
      this.handlers.onTrouble(t('guide.busy', { seconds: Math.ceil(e.retryAfterSeconds ?? 2) }));
      return true;
    }
    this.handlers.onTrouble(t('guide.unavailable'));
    return e.httpStatus === 0 || e.httpStatus >= 500;
  }

  private async run(): Promise<void> {
    if (!(await this.open())) return;
    while (!this.stopped) {
      const started = performance.now();
      const frame = await this.grab();
      if (frame && this.sessionId && !this.stopped) {
        try {
          const answer = await api.judgeCaptureFrame(
            this.sessionId,
            frame,
            new Date().toISOString(),
            this.video.videoWidth,
          );
          if (this.stopped) break;
          if (!answer.skipped) this.handlers.onAnswer(answer);
          if (answer.captureNow) {
            this.stop();
            this.handlers.onCaptureNow();
            return;
          }
        } catch (e) {
          if (this.stopped) break;
          if (e instanceof ApiError && e.httpStatus === 404) {
            // The session ended (idle while the tab was hidden): open another.
            this.sessionId = undefined;
            if (!(await this.open())) return;
            continue;
          }
          if (!(e instanceof ApiError) || !this.retryLater(e)) return;
          await sleep((e.retryAfterSeconds ?? 2) * 1000);
          continue;
        }
      }
      await sleep(Math.max(0, this.minIntervalMs - (performance.now() - started)));
    }
  }

  /** The video's current picture, at most maxSide on its longer side, as JPEG; undefined before the first picture. */
  private grab(): Promise<Blob | null | undefined> {
    const { videoWidth: w, videoHeight: h } = this.video;
    if (!w || !h) return Promise.resolve(undefined);
    const scale = Math.min(1, this.maxSide / Math.max(w, h));
    this.canvas.width = Math.round(w * scale);
    this.canvas.height = Math.round(h * scale);
    this.canvas.getContext('2d')?.drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
    return new Promise((resolve) => this.canvas.toBlob(resolve, 'image/jpeg', 0.8));
  }
}
