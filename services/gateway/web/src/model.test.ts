import { describe, expect, it } from 'vitest';
import {
  attributeName,
  base64ToBytes,
  blockingIssues,
  durationSeconds,
  explanationStatus,
  applyAffine,
  blendHeatmap,
  cropTransform,
  heatColor,
  overlayDataUrl,
  parseError,
  photoGrades,
  regionGrade,
  warningIssues,
} from './model';

describe('attributeName', () => {
  it('reads enum names and short names, and rejects others', () => {
    expect(attributeName('ATTRIBUTE_WRINKLE')).toBe('wrinkle');
    expect(attributeName('sensitivity')).toBe('sensitivity');
    expect(attributeName('ATTRIBUTE_UNSPECIFIED')).toBeUndefined();
    expect(attributeName(undefined)).toBeUndefined();
  });
});

describe('photoGrades', () => {
  it('fills in the fields the JSON mapping leaves out when they are zero', () => {
    // grade 0 and expectedScore 0 are default values, so protobuf's JSON mapping omits them.
    const grades = photoGrades({
      results: [
        {
          attribute: 'ATTRIBUTE_SENSITIVITY',
          distribution: { probabilities: [0.1, 0.2, 0.7], grade: 2, expectedScore: 1.6 },
          regions: ['FACE_REGION_NOSE', 'FACE_REGION_CHIN'],
        },
        { attribute: 'ATTRIBUTE_OIL', distribution: { probabilities: [1] } },
      ],
    });
    expect(grades).toEqual([
      { attribute: 'oil', grade: 0, expectedScore: 0, probabilities: [1, 0, 0, 0, 0], abstained: false, abstainReason: undefined, regions: [] },
      {
        attribute: 'sensitivity',
        grade: 2,
        expectedScore: 1.6,
        probabilities: [0.1, 0.2, 0.7, 0, 0],
        abstained: false,
        abstainReason: undefined,
        regions: ['nose', 'chin'],
      },
    ]);
  });

  it('skips results of unknown attributes', () => {
    expect(photoGrades({ results: [{ attribute: 'ATTRIBUTE_UNSPECIFIED' }] })).toEqual([]);
  });
});

describe('regionGrade', () => {
  it('finds the grade of an attribute in a region, 0 when omitted', () => {
    const d = {
      regions: [
        {
          region: 'FACE_REGION_LEFT_CHEEK',
          attributes: [
            { attribute: 'ATTRIBUTE_OIL', distribution: { grade: 3 } },
            { attribute: 'ATTRIBUTE_WRINKLE', distribution: {} },
          ],
        },
      ],
    };
    expect(regionGrade(d, 'left_cheek', 'oil')).toBe(3);
    expect(regionGrade(d, 'left_cheek', 'wrinkle')).toBe(0);
    expect(regionGrade(d, 'nose', 'oil')).toBeUndefined();
  });
});

describe('explanationStatus', () => {
  it('strips the enum prefix and defaults to UNSPECIFIED', () => {
    expect(explanationStatus({ explanationStatus: 'EXPLANATION_STATUS_FAILED' })).toBe('FAILED');
    expect(explanationStatus({})).toBe('UNSPECIFIED');
  });
});

describe('overlayDataUrl', () => {
  it('uses the overlay encoding for the MIME type, PNG by default', () => {
    expect(overlayDataUrl({ overlay: 'AAAA', overlayEncoding: 'IMAGE_ENCODING_JPEG' })).toBe('data:image/jpeg;base64,AAAA');
    expect(overlayDataUrl({ overlay: 'AAAA' })).toBe('data:image/png;base64,AAAA');
    expect(overlayDataUrl({})).toBeUndefined();
  });
});

describe('base64ToBytes', () => {
  it('decodes standard and URL-safe base64', () => {
    expect(Array.from(base64ToBytes('AP8Q'))).toEqual([0, 255, 16]);
    expect(Array.from(base64ToBytes('-_8='))).toEqual([251, 255]);
  });
});

describe('heatColor', () => {
  it('goes from blue (weak, translucent) to red (strong, nearly opaque)', () => {
    const [r0, , b0, a0] = heatColor(0);
    const [r1, , b1, a1] = heatColor(255);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
    expect(a1).toBeGreaterThan(a0);
  });
});

describe('quality issues', () => {
  const report = {
    issues: [
      { reason: 'QUALITY_REASON_TOO_DARK', severity: 'QUALITY_SEVERITY_BLOCKING', measuredValue: 23, threshold: 60 },
      { reason: 'QUALITY_REASON_EYES_NOT_FOUND', severity: 'QUALITY_SEVERITY_WARNING' },
    ],
  };
  it('blockingIssues keeps only the blocking ones', () => {
    expect(blockingIssues(report).map((i) => i.reason)).toEqual(['QUALITY_REASON_TOO_DARK']);
  });
  it('blockingIssues keeps every issue when none is marked blocking', () => {
    expect(blockingIssues({ issues: [{ reason: 'QUALITY_REASON_NO_FACE' }] })).toHaveLength(1);
  });
  it('warningIssues keeps only the warnings', () => {
    expect(warningIssues(report).map((i) => i.reason)).toEqual(['QUALITY_REASON_EYES_NOT_FOUND']);
    expect(warningIssues(undefined)).toEqual([]);
  });
});

describe('durationSeconds', () => {
  it('reads protobuf JSON durations', () => {
    expect(durationSeconds('1.5s')).toBe(1.5);
    expect(durationSeconds('30s')).toBe(30);
    expect(durationSeconds('soon')).toBeUndefined();
  });
});

describe('parseError', () => {
  it('reads a quality-gate refusal with its report', () => {
    const e = parseError(422, {
      error: {
        code: 422,
        status: 'FAILED_PRECONDITION',
        message: 'photo refused',
        details: [
          {
            '@type': 'type.googleapis.com/skinlens.v1.QualityReport',
            issues: [{ reason: 'QUALITY_REASON_TOO_DARK', severity: 'QUALITY_SEVERITY_BLOCKING' }],
          },
        ],
      },
    });
    expect(e.httpStatus).toBe(422);
    expect(e.status).toBe('FAILED_PRECONDITION');
    expect(e.message).toBe('photo refused');
    expect(e.quality?.issues?.[0]?.reason).toBe('QUALITY_REASON_TOO_DARK');
  });

  it('collects ErrorInfo and BadRequest reasons', () => {
    const e = parseError(400, {
      error: {
        code: 400,
        status: 'INVALID_ARGUMENT',
        message: 'bad password',
        details: [
          {
            '@type': 'type.googleapis.com/skinlens.v1.BadRequest',
            fieldViolations: [{ field: 'password', reason: 'PASSWORD_TOO_SHORT' }, { field: 'password', reason: 'PASSWORD_TOO_COMMON' }],
          },
          { '@type': 'type.googleapis.com/skinlens.v1.ErrorInfo', reason: 'USERNAME_TAKEN', domain: 'auth.skinlens' },
        ],
      },
    });
    expect(e.reasons).toEqual(['PASSWORD_TOO_SHORT', 'PASSWORD_TOO_COMMON', 'USERNAME_TAKEN']);
    expect(e.quality).toBeUndefined();
  });

  it('takes the wait from RetryInfo, and the Retry-After header over it', () => {
    const body = {
      error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'slow down', details: [{ '@type': 'x/skinlens.v1.RetryInfo', retryDelay: '2.5s' }] },
    };
    expect(parseError(429, body).retryAfterSeconds).toBe(2.5);
    expect(parseError(429, body, '7').retryAfterSeconds).toBe(7);
  });

  it('copes with a body that is not the error shape', () => {
    const e = parseError(502, '<html>bad gateway</html>');
    expect(e.httpStatus).toBe(502);
    expect(e.status).toBe('');
    expect(e.message).toBe('HTTP 502');
  });
});

describe('cropTransform', () => {
  const close = (p: [number, number], q: [number, number]) => {
    expect(p[0]).toBeCloseTo(q[0], 6);
    expect(p[1]).toBeCloseTo(q[1], 6);
  };

  it('maps an upright box onto the whole crop', () => {
    const m = cropTransform({ centerX: 300, centerY: 200, width: 100, height: 50 }, 128, 64);
    close(applyAffine(m, 300, 200), [64, 32]);
    close(applyAffine(m, 250, 175), [0, 0]);
    close(applyAffine(m, 350, 225), [128, 64]);
  });

  it('undoes a clockwise rotation: the box corners land on the crop corners', () => {
    const box = { centerX: 100, centerY: 100, width: 40, height: 20, rotationDegrees: 30 };
    const m = cropTransform(box, 40, 20);
    const th = (30 * Math.PI) / 180;
    // The box's top-left corner: the centre plus the rotated offset (-20, -10).
    const x = 100 + -20 * Math.cos(th) - -10 * Math.sin(th);
    const y = 100 + -20 * Math.sin(th) + -10 * Math.cos(th);
    close(applyAffine(m, x, y), [0, 0]);
    // A point to the right along the box's own x axis stays on the crop's middle row.
    close(applyAffine(m, 100 + 10 * Math.cos(th), 100 + 10 * Math.sin(th)), [30, 10]);
  });
});

describe('blendHeatmap', () => {
  it('leaves zero values alone and tints the rest, more for stronger evidence', () => {
    const rgba = new Uint8ClampedArray([100, 100, 100, 255, 100, 100, 100, 255, 100, 100, 100, 255]);
    blendHeatmap(rgba, new Uint8Array([0, 128, 255]), true);
    expect([...rgba.slice(0, 4)]).toEqual([100, 100, 100, 255]);
    // The strongest value is the reddest.
    expect(rgba[8]! - rgba[10]!).toBeGreaterThan(rgba[4]! - rgba[6]!);
    expect(rgba[8]!).toBeGreaterThan(100);
  });

  it('paints the colour scale on its own without a photo', () => {
    const rgba = new Uint8ClampedArray(8);
    blendHeatmap(rgba, new Uint8Array([0, 255]), false);
    expect([...rgba.slice(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...rgba.slice(4)]).toEqual(heatColor(255));
  });
});
