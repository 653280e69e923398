// A stand-in for the gateway inside the browser (Playwright request
// interception), so the web app can be tested without the C++ services: it
// serves services/gateway/web/dist with the gateway's security headers and
// answers the /v1 routes of the HTTP contract from memory, in protobuf's JSON
// mapping (default values left out, as the real gateway's JSON printer does).
// A photo whose file name contains "dark" is refused with TOO_DARK (HTTP 422).
// Error bodies are shaped as the real ones: messages prefixed with the stage
// that failed ("auth: ..."), reason codes in ErrorInfo / BadRequest details.
//
//   const fake = new FakeGateway({ demo: true });
//   await fake.install(page.context(), 'http://skinlens.test');

import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { REPO } from './lib.mjs';

export const DIST = join(REPO, 'services', 'gateway', 'web', 'dist');

export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const ATTRIBUTES = ['OIL', 'HYDRATION', 'WRINKLE', 'PIGMENTATION', 'SENSITIVITY'];
const REGIONS = ['FOREHEAD', 'LEFT_CHEEK', 'RIGHT_CHEEK', 'NOSE', 'CHIN'];
// Which regions count for which attribute's photo-level grade, as in
// services/inference/photo_aggregation.cc. The fake's crops have no eye areas.
const ATTRIBUTE_REGIONS = {
  OIL: ['FOREHEAD', 'NOSE'],
  HYDRATION: ['LEFT_CHEEK', 'RIGHT_CHEEK'],
  WRINKLE: ['FOREHEAD', 'LEFT_EYE_AREA', 'RIGHT_EYE_AREA'],
  PIGMENTATION: ['LEFT_CHEEK', 'RIGHT_CHEEK'],
  SENSITIVITY: ['LEFT_CHEEK', 'RIGHT_CHEEK', 'NOSE', 'CHIN'],
};
// The crops graded, the whole face among them (graded on its own, never part of a
// photo-level grade while the attribute's own regions are there).
const CROPS = ['FULL_FACE', ...REGIONS];

function distribution(seed) {
  const p = [0, 1, 2, 3, 4].map((k) => 1 / (1 + Math.abs(k - (seed % 5)) * 2));
  const sum = p.reduce((a, b) => a + b, 0);
  const probabilities = p.map((x) => x / sum);
  const grade = probabilities.indexOf(Math.max(...probabilities));
  const expectedScore = probabilities.reduce((s, x, k) => s + x * k, 0);
  // The JSON mapping leaves out fields equal to their default.
  return grade === 0 ? { probabilities, expectedScore } : { probabilities, grade, expectedScore };
}

export class FakeGateway {
  constructor({ demo = true, diagnoseDelayMs = 400, abstain = [], retestSd = 0, maxPageSize = 100, faceBox = true, createTimes = [] } = {}) {
    this.faceBox = faceBox; // false: the whole face's crop comes without its box (as from an older gateway)
    this.createTimes = [...createTimes]; // RFC 3339 times the next analyses get, in order (then the clock's)
    this.demo = demo;
    this.maxPageSize = maxPageSize; // the gateway reads larger page sizes as 100
    this.retestSd = retestSd; // the model's repeat-scan sd, for trend noise bands
    this.abstain = abstain; // attributes (e.g. 'WRINKLE') the model "cannot estimate"
    this.diagnoseDelayMs = diagnoseDelayMs;
    this.users = new Map(); // username -> { password, userId }
    this.sessions = new Map(); // token -> username
    this.diagnoses = new Map(); // username -> Diagnosis[] (newest first)
    this.calls = []; // "METHOD /path?query" of every API call
    // Live guidance: what the frames of a capture session show, set by the test
    // ('none': no face; 'dark': a face too dark; 'ready': a good face, captureNow
    // on the third ready frame in a row), and the Content-Type of each frame.
    this.guidance = 'none';
    this.captureSessions = new Map(); // id -> { username, index, streak }
    this.frameTypes = [];
    this.authHeaders = []; // Authorization header of every authenticated API call
    this.next = 1;
  }

  async install(context, baseUrl) {
    this.base = new URL(baseUrl);
    await context.route(`${this.base.origin}/**`, (route) => this.handle(route));
  }

  async handle(route) {
    const request = route.request();
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/v1/')) return this.serveStatic(route, url.pathname);
    this.calls.push(`${request.method()} ${url.pathname}${url.search}`);
    try {
      const [status, body, headers = {}] = await this.api(request, url);
      return route.fulfill({
        status,
        headers: { ...SECURITY_HEADERS, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    } catch (e) {
      return route.fulfill({ status: 500, body: String(e) });
    }
  }

  serveStatic(route, pathname) {
    const rel = pathname === '/' ? 'index.html' : normalize(decodeURIComponent(pathname)).replace(/^\/+/, '');
    const file = join(DIST, rel);
    if (rel.startsWith('..') || !existsSync(file)) return route.fulfill({ status: 404, headers: SECURITY_HEADERS, body: 'not found' });
    return route.fulfill({
      status: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': TYPES[extname(file)] || 'application/octet-stream' },
      body: readFileSync(file),
    });
  }

  error(code, status, message, details = []) {
    return [code, { error: { code, status, message, details } }];
  }

  // As the auth service's rich errors arrive through the gateway.
  authError(code, status, message, reason) {
    return this.error(code, status, `auth: ${message}`, [
      { '@type': 'type.googleapis.com/skinlens.v1.ErrorInfo', reason, domain: 'auth.skinlens' },
    ]);
  }

  passwordRules(field, password) {
    if (password && password.length >= 8) return undefined;
    return this.error(400, 'INVALID_ARGUMENT', 'auth: the credentials break the rules', [
      {
        '@type': 'type.googleapis.com/skinlens.v1.BadRequest',
        fieldViolations: [{ field, description: 'a password has at least 8 characters', reason: 'PASSWORD_TOO_SHORT' }],
      },
    ]);
  }

  /** The history as services/history writes its CSV: one row per diagnosis and attribute, oldest first. */
  csv(list) {
    let out = 'diagnosis_id,create_time,model_version,demo_model,attribute,grade,expected_score,abstained\r\n';
    for (const d of [...list].reverse()) {
      for (const r of d.results) {
        out += `${d.id},${d.createTime},${d.modelVersion},${d.demoModel ? 'true' : 'false'},${r.attribute},${r.distribution.grade ?? 0},${r.distribution.expectedScore},${r.abstained ? 'true' : 'false'}\r\n`;
      }
    }
    return out;
  }

  user(request) {
    const auth = request.headers()['authorization'] || '';
    this.authHeaders.push(auth);
    const token = auth.replace(/^Bearer /, '');
    return this.sessions.get(token);
  }

  async api(request, url) {
    const method = request.method();
    const path = url.pathname;
    const json = () => JSON.parse(request.postData() || '{}');
    if (method === 'GET' && path === '/v1/model') {
      return [200, { modelInfo: { version: 'demo-test.1', architecture: 'efficientnet-b0', demoModel: this.demo || undefined } }];
    }
    if (method === 'POST' && path === '/v1/accounts') {
      const { username, password } = json();
      const weak = this.passwordRules('password', password);
      if (weak) return weak;
      if (this.users.has(username.toLowerCase())) return this.authError(409, 'ALREADY_EXISTS', 'this username is taken', 'USERNAME_TAKEN');
      const userId = `u${this.next++}`;
      this.users.set(username.toLowerCase(), { password, userId, username });
      return [201, { userId, username, createTime: new Date().toISOString() }];
    }
    if (method === 'POST' && path === '/v1/sessions') {
      const { username, password } = json();
      // No reason code here in the real auth service either.
      if (!username || !password) return this.error(400, 'INVALID_ARGUMENT', 'auth: username and password are required');
      const u = this.users.get(username.toLowerCase());
      if (!u || u.password !== password) return this.authError(401, 'UNAUTHENTICATED', 'invalid username or password', 'INVALID_CREDENTIALS');
      const token = `tok_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
      this.sessions.set(token, u.username.toLowerCase());
      return [200, { token, userId: u.userId, username: u.username, expireTime: new Date(Date.now() + 3600e3).toISOString(), idleTimeout: '3600s' }];
    }

    const username = this.user(request);
    if (!username) {
      return this.error(401, 'UNAUTHENTICATED', 'token missing or invalid', [
        { '@type': 'type.googleapis.com/skinlens.v1.ErrorInfo', reason: 'TOKEN_INVALID', domain: 'gateway.skinlens' },
      ]);
    }
    const list = this.diagnoses.get(username) ?? [];
    this.diagnoses.set(username, list);

    if (method === 'DELETE' && path === '/v1/sessions/current') {
      for (const [tok, name] of this.sessions) if (name === username) this.sessions.delete(tok);
      return [200, {}];
    }
    if (method === 'POST' && path === '/v1/account/password') {
      const { currentPassword, newPassword } = json();
      const u = this.users.get(username);
      if (u.password !== currentPassword) return this.authError(403, 'PERMISSION_DENIED', 'wrong password', 'WRONG_PASSWORD');
      const weak = this.passwordRules('new_password', newPassword);
      if (weak) return weak;
      u.password = newPassword;
      // The calling session stays; the account's others end.
      const current = (request.headers()['authorization'] || '').replace(/^Bearer /, '');
      let revoked = 0;
      for (const [tok, name] of this.sessions) {
        if (name === username && tok !== current) {
          this.sessions.delete(tok);
          revoked++;
        }
      }
      return [200, revoked ? { revokedSessionCount: revoked } : {}];
    }
    if (method === 'DELETE' && path === '/v1/account') {
      const { password } = json();
      if (this.users.get(username).password !== password) return this.error(403, 'PERMISSION_DENIED', 'wrong password');
      this.users.delete(username);
      for (const [tok, name] of this.sessions) if (name === username) this.sessions.delete(tok);
      const count = list.length;
      this.diagnoses.delete(username);
      return [200, count ? { deletedDiagnosisCount: String(count) } : {}];
    }
    if (method === 'POST' && path === '/v1/diagnoses') {
      const body = request.postDataBuffer() || Buffer.alloc(0);
      await new Promise((r) => setTimeout(r, this.diagnoseDelayMs));
      if (!/multipart\/form-data/.test(request.headers()['content-type'] || '') || !body.includes('name="photo"')) {
        return this.error(400, 'INVALID_ARGUMENT', 'no photo field');
      }
      // The page draws the maps from their values; overlay images would make the response megabytes.
      if (url.searchParams.get('includeHeatmaps') !== 'true' || url.searchParams.has('includeOverlays')) {
        return this.error(400, 'INVALID_ARGUMENT', 'the test expects heatmaps as values, without overlay images');
      }
      if (/filename="[^"]*dark/.test(body.toString('latin1'))) {
        return this.error(422, 'FAILED_PRECONDITION', 'preprocess: photo refused by the quality gate', [
          {
            '@type': 'type.googleapis.com/skinlens.v1.QualityReport',
            issues: [
              {
                reason: 'QUALITY_REASON_TOO_DARK',
                severity: 'QUALITY_SEVERITY_BLOCKING',
                measuredValue: 24.6,
                threshold: 60,
                message: 'Face too dark: mean luminance 25, at least 60 needed — add light.',
              },
            ],
            measurements: { faceCount: 1, meanLuminance: 24.6 },
          },
        ]);
      }
      const n = this.next++;
      const diagnosis = {
        id: `d${n}`,
        createTime: this.createTimes.shift() ?? new Date().toISOString(),
        requestId: `req-${n}`,
        modelVersion: 'demo-test.1',
        demoModel: this.demo || undefined,
        results: ATTRIBUTES.map((a, i) => ({
          attribute: `ATTRIBUTE_${a}`,
          distribution: distribution(n + i),
          regions: ATTRIBUTE_REGIONS[a].filter((r) => REGIONS.includes(r)).map((r) => `FACE_REGION_${r}`),
          ...(this.abstain.includes(a) ? { abstained: true, abstainReason: `confidence 0.31 is below 0.45, the least this model needs to grade ${a.toLowerCase()} from a photo` } : {}),
        })),
        // The whole face (j = 0) is 3 grades off the photo-level result, so the two differ.
        regions: CROPS.map((r, j) => ({
          region: `FACE_REGION_${r}`,
          box: { centerX: 200 + j, centerY: 150, width: 80, height: 80 },
          attributes: ATTRIBUTES.map((a, i) => ({ attribute: `ATTRIBUTE_${a}`, distribution: distribution(n + i + (j === 0 ? 3 : j - 1)) })),
        })),
        heatmaps: ATTRIBUTES.flatMap((a, i) =>
          CROPS.map((r, j) => ({
            attribute: `ATTRIBUTE_${a}`,
            region: `FACE_REGION_${r}`,
            width: 16,
            height: 16,
            box: { centerX: 200 + j, centerY: 150, width: 80, height: 80 },
            values: Buffer.alloc(256, 20 + 25 * i + 5 * j).toString('base64'),
            rawMax: 1,
          })),
        ),
        photoHeatmaps: ATTRIBUTES.map((a, i) => ({
          attribute: `ATTRIBUTE_${a}`,
          width: 128,
          height: 128,
          scale: 0.25,
          values: Buffer.alloc(128 * 128, 30 + 50 * i).toString('base64'),
        })),
        quality: {
          accepted: true,
          issues: [{ reason: 'QUALITY_REASON_EYES_NOT_FOUND', severity: 'QUALITY_SEVERITY_WARNING', message: 'Eyes not found.' }],
        },
        explanationStatus: 'EXPLANATION_STATUS_COMPLETE',
        photoWidth: 512,
        photoHeight: 512,
      };
      if (!this.faceBox) {
        for (const r of [...diagnosis.regions, ...diagnosis.heatmaps]) if (r.region === 'FACE_REGION_FULL_FACE') delete r.box;
      }
      list.unshift(diagnosis);
      return [200, { diagnosis, saved: true, timings: { total: '0.400s' } }];
    }
    const basic = (d) => ({ ...d, regions: undefined, heatmaps: undefined, photoHeatmaps: undefined, explanationStatus: 'EXPLANATION_STATUS_NOT_STORED' });
    if (method === 'GET' && path === '/v1/diagnoses') {
      const view = (url.searchParams.get('view') || '').toUpperCase().replace(/^DIAGNOSIS_VIEW_/, '');
      // FULL adds the regions; history keeps no heatmaps.
      const shown = view === 'FULL' ? (d) => ({ ...basic(d), regions: d.regions }) : basic;
      const size = Math.min(Number(url.searchParams.get('pageSize')) || 20, this.maxPageSize);
      const from = Number(url.searchParams.get('pageToken') || 0);
      const page = list.slice(from, from + size).map(shown);
      return [200, from + size < list.length ? { diagnoses: page, nextPageToken: String(from + size) } : { diagnoses: page }];
    }
    if (method === 'GET' && path === '/v1/diagnoses:export') {
      const fileName = `skinlens-history-${new Date().toISOString().slice(0, 10)}.csv`;
      const content = this.csv(list);
      // `Accept: text/csv` gets the file itself, anything else its JSON wrapping (bytes as base64).
      if (/text\/csv/.test(request.headers()['accept'] || '')) {
        return [200, content, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${fileName}"` }];
      }
      return [200, { contentType: 'text/csv; charset=utf-8', fileName, content: Buffer.from(content).toString('base64') }];
    }
    const one = /^\/v1\/diagnoses\/([^/]+)$/.exec(path);
    if (one) {
      const idx = list.findIndex((d) => d.id === decodeURIComponent(one[1]));
      if (idx < 0) return this.error(404, 'NOT_FOUND', 'no such diagnosis');
      if (method === 'GET') return [200, { diagnosis: { ...list[idx], heatmaps: undefined, photoHeatmaps: undefined, explanationStatus: 'EXPLANATION_STATUS_NOT_STORED' } }];
      if (method === 'DELETE') {
        list.splice(idx, 1);
        return [200, {}];
      }
    }
    if (method === 'POST' && path === '/v1/captureSessions') {
      const id = `cs${this.next++}`;
      this.captureSessions.set(id, { username, index: 0, streak: 0 });
      return [201, { captureSessionId: id, readyFrames: 3, idleTimeout: '30s' }];
    }
    const capture = /^\/v1\/captureSessions\/([^/]+)(\/frames)?$/.exec(path);
    if (capture) {
      const session = this.captureSessions.get(capture[1]);
      if (!session || session.username !== username) return this.error(404, 'NOT_FOUND', 'no such capture session');
      if (method === 'DELETE' && !capture[2]) {
        this.captureSessions.delete(capture[1]);
        return [200, {}];
      }
      if (method === 'POST' && capture[2]) return [200, this.guideAnswer(session, request, url)];
    }
    const trend = /^\/v1\/trends\/([a-z_]+)$/.exec(path);
    if (method === 'GET' && trend) {
      const attr = `ATTRIBUTE_${trend[1].toUpperCase()}`;
      if (!ATTRIBUTES.includes(trend[1].toUpperCase())) return this.error(400, 'INVALID_ARGUMENT', 'unknown attribute');
      // With `retestSd`, the gateway's noise bands (trend_bands.h) for a model with that sd.
      let previous;
      const points = [...list].reverse().map((d) => {
        const r = d.results.find((x) => x.attribute === attr).distribution;
        const s = r.expectedScore;
        const point = { startTime: d.createTime, endTime: d.createTime, count: 1, meanExpectedScore: s, minExpectedScore: s, maxExpectedScore: s, meanGrade: r.grade, diagnosisId: d.id };
        if (this.retestSd > 0) {
          point.bandLower = Math.max(0, s - 1.96 * this.retestSd);
          point.bandUpper = Math.min(4, s + 1.96 * this.retestSd);
          if (previous !== undefined && Math.abs(s - previous) > 1.96 * Math.SQRT2 * this.retestSd) point.changeSignificant = true;
        }
        previous = s;
        return point;
      });
      return [200, { series: [{ attribute: attr, points }] }];
    }
    return this.error(404, 'NOT_FOUND', `no route ${method} ${path}`);
  }

  /** The answer to one frame, as GuideCaptureResponse in the JSON mapping (defaults left out). */
  guideAnswer(session, request, url) {
    this.frameTypes.push(request.headers()['content-type'] || '');
    const answer = { captureTime: url.searchParams.get('captureTime'), frameWidth: 640, frameHeight: 480 };
    if (session.index > 0) answer.frameIndex = String(session.index);
    session.index += 1;
    if (this.guidance === 'none') {
      session.streak = 0;
      return { ...answer, issues: [{ reason: 'QUALITY_REASON_NO_FACE', severity: 'QUALITY_SEVERITY_BLOCKING' }] };
    }
    answer.face = { box: { centerX: 320, centerY: 220, width: 200, height: 240 } };
    if (this.guidance === 'dark') {
      session.streak = 0;
      const issue = { reason: 'QUALITY_REASON_TOO_DARK', severity: 'QUALITY_SEVERITY_BLOCKING', measuredValue: 31, threshold: 60 };
      return { ...answer, issues: [issue] };
    }
    session.streak += 1;
    return { ...answer, ready: true, readyStreak: session.streak, captureNow: session.streak >= 3 || undefined };
  }
}
