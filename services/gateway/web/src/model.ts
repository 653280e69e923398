// Pure readers of the gateway's JSON: enum names to short names, defaults for
// fields the protobuf JSON mapping leaves out, the error body, and the
// geometry and colours of heatmap images (heatmap_image.ts draws them). No
// DOM access, so all of it is unit-tested in model.test.ts.
//
//   const grades = photoGrades(diagnosis);  // one entry per attribute, in ATTRIBUTES order
//   const err = parseError(429, body, '3'); // ApiError with retryAfterSeconds = 3

import {
  ATTRIBUTES,
  type AttributeName,
  type Diagnosis,
  type Heatmap,
  type PhotoHeatmap,
  type RegionBox,
  type QualityIssue,
  type QualityReport,
} from './types';

/** "ATTRIBUTE_WRINKLE" or "wrinkle" -> "wrinkle"; anything else -> undefined. */
export function attributeName(value: string | undefined): AttributeName | undefined {
  if (!value) return undefined;
  const short = value.replace(/^ATTRIBUTE_/, '').toLowerCase();
  return (ATTRIBUTES as readonly string[]).includes(short) ? (short as AttributeName) : undefined;
}

/** "FACE_REGION_LEFT_CHEEK" -> "left_cheek". */
export function regionName(value: string | undefined): string {
  return (value ?? '').replace(/^FACE_REGION_/, '').toLowerCase();
}

/** "QUALITY_REASON_TOO_DARK" -> "TOO_DARK". */
export function qualityReasonName(value: string | undefined): string {
  return (value ?? '').replace(/^QUALITY_REASON_/, '');
}

/** The photo-level grade of one attribute, with the mapping's defaults filled in. */
export interface Grade {
  attribute: AttributeName;
  grade: number;
  expectedScore: number;
  /** Probability of grade k at index k; always 5 entries. */
  probabilities: number[];
  /** True when the model withheld the grade ("cannot estimate from this photo"). */
  abstained: boolean;
  /** The server's reason when abstained, for people. */
  abstainReason?: string;
  /**
   * The regions whose crops the grade combines ("forehead", ...), as the server
   * lists them; empty when it lists none (then the view cannot say).
   */
  regions: string[];
}

/** The photo-level grades of a diagnosis, in ATTRIBUTES order, skipping attributes it lacks. */
export function photoGrades(diagnosis: Diagnosis): Grade[] {
  const byName = new Map<AttributeName, Grade>();
  for (const result of diagnosis.results ?? []) {
    const name = attributeName(result.attribute);
    if (!name) continue;
    const d = result.distribution ?? {};
    const probabilities = [0, 1, 2, 3, 4].map((k) => d.probabilities?.[k] ?? 0);
    byName.set(name, {
      attribute: name,
      grade: d.grade ?? 0,
      expectedScore: d.expectedScore ?? 0,
      probabilities,
      abstained: result.abstained === true,
      abstainReason: result.abstainReason || undefined,
      regions: (result.regions ?? []).map(regionName),
    });
  }
  return ATTRIBUTES.flatMap((a) => (byName.has(a) ? [byName.get(a)!] : []));
}

/** The grade a region got for an attribute, or undefined when not graded there. */
export function regionGrade(
  diagnosis: Diagnosis,
  region: string,
  attribute: AttributeName,
): number | undefined {
  for (const r of diagnosis.regions ?? []) {
    if (regionName(r.region) !== region) continue;
    for (const a of r.attributes ?? []) {
      if (attributeName(a.attribute) === attribute) return a.distribution?.grade ?? 0;
    }
  }
  return undefined;
}

/** ExplanationStatus without its prefix: COMPLETE, NOT_REQUESTED, FAILED, NOT_STORED, THUMBNAILS or UNSPECIFIED. */
export function explanationStatus(diagnosis: Diagnosis): string {
  return (diagnosis.explanationStatus ?? 'UNSPECIFIED').replace(/^EXPLANATION_STATUS_/, '');
}

/** The whole-photo heatmap of an attribute, if present. */
export function photoHeatmap(diagnosis: Diagnosis, attribute: AttributeName): PhotoHeatmap | undefined {
  return (diagnosis.photoHeatmaps ?? []).find((h) => attributeName(h.attribute) === attribute);
}

/** The per-region heatmaps of an attribute. */
export function regionHeatmaps(diagnosis: Diagnosis, attribute: AttributeName): Heatmap[] {
  return (diagnosis.heatmaps ?? []).filter((h) => attributeName(h.attribute) === attribute);
}

/** A data: URL of a heatmap's coloured overlay, or undefined when it has none. */
export function overlayDataUrl(h: { overlay?: string; overlayEncoding?: string }): string | undefined {
  if (!h.overlay) return undefined;
  const mime = h.overlayEncoding === 'IMAGE_ENCODING_JPEG' ? 'image/jpeg' : 'image/png';
  return `data:${mime};base64,${h.overlay}`;
}

/** Decodes base64 (as the JSON mapping writes bytes; also accepts the URL-safe alphabet). */
export function base64ToBytes(b64: string): Uint8Array {
  const binary = atob(b64.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * A colour for a heatmap value 0..255 (blue -> cyan -> yellow -> red, as a
 * "jet"-like map), with an alpha that hides the weakest evidence.
 */
export function heatColor(v: number): [number, number, number, number] {
  const t = Math.min(1, Math.max(0, v / 255));
  const r = Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 3))));
  const g = Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 2))));
  const b = Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 1))));
  return [r, g, b, Math.round(80 + 175 * t)];
}

/** A 2D affine transform as canvas setTransform(a, b, c, d, e, f) takes it. */
export type Affine = [number, number, number, number, number, number];

/**
 * The transform that maps oriented-photo pixels to the pixels of a crop of
 * `width` x `height` cut at `box` (centre, size before rotation, clockwise
 * rotation on screen, as RegionBox defines it): the photo drawn through it
 * shows exactly what the crop showed, so a region heatmap can be laid over it.
 */
export function cropTransform(box: RegionBox, width: number, height: number): Affine {
  const bw = box.width || width;
  const bh = box.height || height;
  const sx = width / bw;
  const sy = height / bh;
  const theta = ((box.rotationDegrees ?? 0) * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cx = box.centerX ?? 0;
  const cy = box.centerY ?? 0;
  // crop = S * R(-theta) * (photo - centre) + (width / 2, height / 2)
  const a = sx * cos;
  const b = -sy * sin;
  const c = sx * sin;
  const d = sy * cos;
  return [a, b, c, d, width / 2 - (a * cx + c * cy), height / 2 - (b * cx + d * cy)];
}

/** Where `transform` puts the point (x, y). */
export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/**
 * RGBA pixels of a heatmap drawn over an image already in `rgba` (which the
 * caller filled with the photo, or left transparent): each value tints its
 * pixel with heatColor, more opaque for stronger evidence; 0 (no evidence,
 * or outside every region of a whole-photo map) leaves the pixel as it is.
 */
export function blendHeatmap(rgba: Uint8ClampedArray, values: Uint8Array, overPhoto: boolean): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === 0) continue;
    const [r, g, b, alpha] = heatColor(v);
    const o = i * 4;
    if (!overPhoto) {
      rgba[o] = r;
      rgba[o + 1] = g;
      rgba[o + 2] = b;
      rgba[o + 3] = alpha;
      continue;
    }
    // Over the photo: at most 60 % heat, so the skin stays visible.
    const w = (0.25 + 0.35 * (v / 255)) as number;
    rgba[o] = rgba[o]! * (1 - w) + r * w;
    rgba[o + 1] = rgba[o + 1]! * (1 - w) + g * w;
    rgba[o + 2] = rgba[o + 2]! * (1 - w) + b * w;
    rgba[o + 3] = 255;
  }
}

/** The issues that made a photo be refused (all issues when none is marked BLOCKING). */
export function blockingIssues(report: QualityReport): QualityIssue[] {
  const issues = report.issues ?? [];
  const blocking = issues.filter((i) => i.severity === 'QUALITY_SEVERITY_BLOCKING');
  return blocking.length > 0 ? blocking : issues;
}

/** The warnings of an accepted photo. */
export function warningIssues(report: QualityReport | undefined): QualityIssue[] {
  return (report?.issues ?? []).filter((i) => i.severity === 'QUALITY_SEVERITY_WARNING');
}

/** A failed call, read from the gateway's `{"error": {...}}` body. */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the gateway could not be reached. */
    readonly httpStatus: number,
    /** gRPC code name, e.g. "FAILED_PRECONDITION"; "" when unknown. */
    readonly status: string,
    message: string,
    /** The QualityReport detail of a refused photo, if any. */
    readonly quality?: QualityReport,
    /** Machine-readable reasons: ErrorInfo.reason and BadRequest field violation reasons. */
    readonly reasons: string[] = [],
    /** Seconds to wait before retrying (Retry-After header or RetryInfo), if given. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** "1.5s" (a Duration in the JSON mapping) -> 1.5; undefined when malformed. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(-?\d+(?:\.\d+)?)s$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

function typeName(detail: Record<string, unknown>): string {
  const t = typeof detail['@type'] === 'string' ? (detail['@type'] as string) : '';
  return t.slice(t.lastIndexOf('.') + 1);
}

/**
 * Reads an error response. `body` is the parsed JSON (or anything else when
 * the body was not JSON); `retryAfter` is the Retry-After header, if any.
 */
export function parseError(httpStatus: number, body: unknown, retryAfter?: string | null): ApiError {
  const error =
    body && typeof body === 'object' && 'error' in body && body.error && typeof body.error === 'object'
      ? (body.error as Record<string, unknown>)
      : {};
  const status = typeof error.status === 'string' ? error.status : '';
  const message = typeof error.message === 'string' ? error.message : `HTTP ${httpStatus}`;
  let quality: QualityReport | undefined;
  const reasons: string[] = [];
  let retryAfterSeconds: number | undefined;
  const details = Array.isArray(error.details) ? error.details : [];
  for (const raw of details) {
    if (!raw || typeof raw !== 'object') continue;
    const detail = raw as Record<string, unknown>;
    const type = typeName(detail);
    if (type === 'QualityReport' || (type === '' && Array.isArray(detail.issues))) {
      quality = detail as QualityReport;
    } else if (type === 'ErrorInfo' || (type === '' && typeof detail.reason === 'string')) {
      if (typeof detail.reason === 'string') reasons.push(detail.reason);
    } else if (type === 'BadRequest' || (type === '' && Array.isArray(detail.fieldViolations))) {
      for (const v of (detail.fieldViolations as Array<Record<string, unknown>>) ?? []) {
        if (typeof v.reason === 'string' && v.reason) reasons.push(v.reason);
      }
    } else if (type === 'RetryInfo' || (type === '' && 'retryDelay' in detail)) {
      retryAfterSeconds = durationSeconds(detail.retryDelay);
    }
  }
  if (retryAfter && /^\d+$/.test(retryAfter.trim())) retryAfterSeconds = Number(retryAfter.trim());
  return new ApiError(httpStatus, status, message, quality, reasons, retryAfterSeconds);
}
