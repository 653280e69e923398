import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from './i18n';
import { guideView } from './live_guide';

// Answers as the gateway writes them (GuideCaptureResponse in protobuf's JSON
// mapping): a 640 x 480 frame with the face box in frame pixels.
const face = { box: { centerX: 320, centerY: 240, width: 160, height: 200 } };
const frame = { frameWidth: 640, frameHeight: 480 };
const issue = (reason: string, severity = 'BLOCKING') => ({
  reason: `QUALITY_REASON_${reason}`,
  severity: `QUALITY_SEVERITY_${severity}`,
  measuredValue: 20,
  threshold: 60,
});

describe('guideView', () => {
  afterEach(() => setLanguage('en'));

  it('names the blocking issue of a frame that is not ready, and where the face is', () => {
    const view = guideView({ ...frame, face, issues: [issue('TOO_DARK')], ready: false });
    expect(view.tone).toBe('adjust');
    expect(view.reason).toBe('TOO_DARK');
    expect(view.title).toBe('The photo is too dark.');
    expect(view.box).toEqual({ left: 0.375, top: 140 / 480, width: 0.25, height: 200 / 480 });
  });

  it('puts a blocking issue before a warning', () => {
    const view = guideView({ ...frame, issues: [issue('UNEVEN_LIGHTING', 'WARNING'), issue('NO_FACE')] });
    expect(view.reason).toBe('NO_FACE');
    expect(view.box).toBeUndefined();
  });

  it('says all is right for a ready frame, but asks to hold still when the face moves', () => {
    expect(guideView({ ...frame, face, ready: true, readyStreak: 1 }).tone).toBe('ready');
    // A warning the gate gives on an accepted photo does not hold the capture back.
    expect(guideView({ ...frame, face, ready: true, issues: [issue('UNEVEN_LIGHTING', 'WARNING')] }).tone).toBe('ready');
    const moving = guideView({ ...frame, face, ready: true, issues: [issue('FACE_MOVING', 'WARNING')] });
    expect(moving.tone).toBe('adjust');
    expect(moving.fix).toBe('Hold still for a moment.');
  });

  it('says an unreadable frame could not be checked, in Korean too', () => {
    const answer = { error: { code: 3, message: 'frame too large' } };
    expect(guideView(answer).reason).toBe('UNREADABLE');
    setLanguage('ko');
    expect(guideView(answer).title).toBe('이 화면은 확인하지 못했습니다.');
    expect(guideView({ ...frame, face, issues: [issue('FACE_OFF_CENTER')] }).title).toBe('얼굴이 화면 가운데에 있지 않습니다.');
  });
});
