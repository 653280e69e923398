// The gateway's JSON bodies: the protobuf JSON mapping of the messages in
// proto/skinlens/v1/diagnosis.proto and common.proto (lowerCamelCase names,
// enums as their names, int64 as strings, bytes as base64, Timestamps as
// RFC 3339 strings). Fields holding their default value (0, false, "", empty
// list) are left out by the mapping, so every field here is optional and the
// readers in model.ts fill in the defaults.

export const ATTRIBUTES = ['oil', 'hydration', 'wrinkle', 'pigmentation', 'sensitivity'] as const;
/** A skin attribute by its lower-case name (Attribute enum without the prefix). */
export type AttributeName = (typeof ATTRIBUTES)[number];

export const REGIONS = [
  'full_face',
  'forehead',
  'left_cheek',
  'right_cheek',
  'nose',
  'chin',
  'left_eye_area',
  'right_eye_area',
] as const;
/** A face region by its lower-case name (FaceRegion enum without the prefix). */
export type RegionName = (typeof REGIONS)[number];

export interface LoginResponse {
  token?: string;
  userId?: string;
  username?: string;
  expireTime?: string;
  idleTimeout?: string;
  failedAttempts?: number;
}

export interface RegisterResponse {
  userId?: string;
  username?: string;
  createTime?: string;
}

export interface GradeDistribution {
  probabilities?: number[];
  grade?: number;
  expectedScore?: number;
}

export interface AttributeResult {
  attribute?: string;
  distribution?: GradeDistribution;
  regions?: string[];
  /** The model was not sure enough: no grade is shown ("cannot estimate"). */
  abstained?: boolean;
  abstainReason?: string;
}

export interface RegionBox {
  centerX?: number;
  centerY?: number;
  width?: number;
  height?: number;
  rotationDegrees?: number;
}

/** A face found in a frame: its box in frame pixels. */
export interface FaceDetection {
  box?: RegionBox;
  confidence?: number;
}

/** POST /v1/captureSessions (capture_session.proto). */
export interface CaptureSession {
  captureSessionId?: string;
  readyFrames?: number;
  idleTimeout?: string;
}

/** The answer to one frame of live capture guidance (diagnosis.proto GuideCaptureResponse). */
export interface GuideCaptureResponse {
  frameIndex?: string;
  captureTime?: string;
  skipped?: boolean;
  /** The frame could not be read (code 3 with a QualityReport in details). */
  error?: { code?: number; message?: string; details?: unknown[] };
  frameWidth?: number;
  frameHeight?: number;
  face?: FaceDetection;
  issues?: QualityIssue[];
  ready?: boolean;
  readyStreak?: number;
  captureNow?: boolean;
}

export interface RegionResult {
  region?: string;
  box?: RegionBox;
  attributes?: AttributeResult[];
}

export interface Heatmap {
  attribute?: string;
  grade?: number;
  region?: string;
  box?: RegionBox;
  width?: number;
  height?: number;
  values?: string;
  rawMax?: number;
  overlay?: string;
  overlayEncoding?: string;
}

export interface PhotoHeatmap {
  attribute?: string;
  width?: number;
  height?: number;
  scale?: number;
  values?: string;
  overlay?: string;
  overlayEncoding?: string;
}

export interface QualityIssue {
  reason?: string;
  severity?: string;
  measuredValue?: number;
  threshold?: number;
  message?: string;
}

export interface QualityReport {
  accepted?: boolean;
  issues?: QualityIssue[];
  measurements?: Record<string, number>;
}

export interface Diagnosis {
  id?: string;
  createTime?: string;
  requestId?: string;
  modelVersion?: string;
  demoModel?: boolean;
  results?: AttributeResult[];
  regions?: RegionResult[];
  heatmaps?: Heatmap[];
  photoHeatmaps?: PhotoHeatmap[];
  quality?: QualityReport;
  explanationStatus?: string;
  explanationError?: string;
  photoWidth?: number;
  photoHeight?: number;
}

export interface DiagnoseResponse {
  diagnosis?: Diagnosis;
  saved?: boolean;
  timings?: Record<string, string>;
}

export interface ListDiagnosesResponse {
  diagnoses?: Diagnosis[];
  nextPageToken?: string;
}

export interface GetDiagnosisResponse {
  diagnosis?: Diagnosis;
}

export interface TrendPoint {
  startTime?: string;
  endTime?: string;
  count?: number;
  meanExpectedScore?: number;
  minExpectedScore?: number;
  maxExpectedScore?: number;
  meanGrade?: number;
  diagnosisId?: string;
  /** Repeat-scan noise band around the mean (equal to it when the model has no figures). */
  bandLower?: number;
  bandUpper?: number;
  /** The change from the previous point is larger than repeat-scan noise. */
  changeSignificant?: boolean;
}

export interface TrendSeries {
  attribute?: string;
  points?: TrendPoint[];
}

export interface GetTrendResponse {
  series?: TrendSeries[];
  truncated?: boolean;
}

export interface ModelInfo {
  version?: string;
  architecture?: string;
  trainedOn?: string;
  gradeNames?: string[];
  demoModel?: boolean;
}

export interface GetModelInfoResponse {
  modelInfo?: ModelInfo;
}

export interface DeleteAccountResponse {
  deletedDiagnosisCount?: string;
}

export interface ChangePasswordResponse {
  /** Other sessions of the account that were ended. */
  revokedSessionCount?: number;
}

export interface ExportDiagnosesResponse {
  contentType?: string;
  fileName?: string;
  /** The file, base64-encoded. */
  content?: string;
}
