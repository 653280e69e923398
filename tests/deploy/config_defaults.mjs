// Flags deliberately left at their defaults in deploy/compose.yaml and/or the
// k8s manifests, each with the reason. config.test.mjs requires every flag a
// service reads to be either set (SKINLENS_<FLAG>) or listed here, so a new
// flag forces a decision; and it refuses an entry for a flag that no longer
// exists or that is set where the entry says it is not.
//
// services: '*' for every service that has the flag, or a list.
// where: 'compose', 'k8s' or both.

export const LEFT_AT_DEFAULT = [
  // Every service (common/grpc/server_options.cc, common/logging/logging.cc).
  {
    flags: ['max_message_bytes', 'keepalive_time', 'keepalive_timeout'],
    services: '*', where: ['compose', 'k8s'],
    reason: 'must agree with the client side in common/grpc/channel_factory.h; change both in code',
  },
  {
    flags: ['port_file'], services: '*', where: ['compose', 'k8s'],
    reason: 'for tests and scripts/run, which use port 0; containers use fixed ports',
  },
  {
    flags: ['max_connection_age'], services: '*', where: ['compose'],
    reason: 'one container per service on one host: no new pods to spread connections to',
  },
  {
    flags: ['max_connection_age_grace'], services: '*', where: ['compose', 'k8s'],
    reason: '30s outlasts the longest stage deadline (10s), so no call is cut by a reconnect',
  },
  {
    flags: ['drain_delay'], services: '*', where: ['compose'],
    reason: 'no load balancer to drain on one host; on Kubernetes it covers endpoint removal (5s)',
  },

  // auth
  {
    flags: ['argon2_memory_kib', 'argon2_iterations'], services: ['auth'], where: ['compose', 'k8s'],
    reason: "OWASP's minimum argon2id cost (the binary refuses less); raise only with the CPU limit",
  },
  {
    flags: ['session_lifetime', 'session_idle_timeout'], services: ['auth'], where: ['compose', 'k8s'],
    reason: 'product policy (30 days absolute, 7 days idle), not a deployment choice',
  },

  // history
  {
    flags: ['max_trend_points'], services: ['history'], where: ['compose', 'k8s'],
    reason: 'an API limit the web app is built for',
  },
  {
    flags: ['heatmap_thumbnail_px'], services: ['history'], where: ['compose', 'k8s'],
    reason: 'privacy default: no images stored; an operator turns thumbnails on deliberately',
  },

  // preprocess
  {
    flags: ['max_photo_megapixels', 'max_detection_side', 'default_crop_width',
      'default_crop_height', 'max_crop_side'],
    services: ['preprocess'], where: ['compose', 'k8s'],
    reason: 'input limits tied to the model and the gateway, documented in services/preprocess/README.md',
  },
  {
    flags: ['min_face_width_px', 'min_sharpness', 'min_luminance', 'max_luminance',
      'max_lighting_ratio', 'max_yaw_degrees', 'max_roll_degrees', 'multiple_faces_blocking'],
    services: ['preprocess'], where: ['compose', 'k8s'],
    reason: 'quality-gate thresholds, tuned with the model (services/preprocess/README.md), not per deployment',
  },
  {
    flags: ['max_frame_bytes', 'max_frame_pixels', 'max_face_offset', 'max_concurrent_frames'],
    services: ['preprocess'], where: ['compose', 'k8s'],
    reason: 'capture guidance frame limits and framing rule, sized for 640 px previews (services/preprocess/README.md)',
  },
  {
    flags: ['white_balance'], services: ['preprocess'], where: ['compose', 'k8s'],
    reason: 'colour constancy is part of how the model is served (on; docs/MODEL.md), off only for measuring it',
  },

  // inference
  {
    flags: ['memory_layout'], services: ['inference'], where: ['compose', 'k8s'],
    reason: 'channels_last measured fastest (docs/BENCHMARKS.md); a model property, not a deployment one',
  },
  {
    flags: ['max_queue_size', 'max_crops_per_request'], services: ['inference'], where: ['compose', 'k8s'],
    reason: 'API limits sized for a photo (7 regions) and 32 photos in flight per gateway',
  },

  // explain
  {
    flags: ['max_inputs', 'max_crop_side', 'max_photo_side', 'overlay_alpha', 'jpeg_quality'],
    services: ['explain'], where: ['compose', 'k8s'],
    reason: 'API limits and overlay rendering, the same on every deployment',
  },

  // gateway
  {
    flags: ['auth_deadline', 'preprocess_deadline', 'inference_deadline', 'explain_deadline',
      'history_deadline'],
    services: ['gateway'], where: ['compose', 'k8s'],
    reason: 'per-stage deadlines sized for CPU serving (docs/DEPLOY.md says when to change them)',
  },
  {
    flags: ['guidance_max_streams', 'guidance_ready_frames', 'guidance_max_face_movement',
            'guidance_idle_timeout', 'guidance_frame_deadline'],
    services: ['gateway'], where: ['compose', 'k8s'],
    reason: 'capture guidance behaviour the apps are written against (docs/API.md), not per deployment',
  },
  {
    flags: ['preview_max_side'], services: ['gateway'], where: ['compose', 'k8s'],
    reason: 'size of the whole-photo heatmap preview, a UI property',
  },
  {
    flags: ['http_port_file'], services: ['gateway'], where: ['compose', 'k8s'],
    reason: 'for tests and scripts/run, which use port 0; containers use fixed ports',
  },
  {
    flags: ['http_threads', 'http_max_queued', 'http_read_timeout', 'http_write_timeout',
      'http_request_deadline', 'http_max_connections_per_address'],
    services: ['gateway'], where: ['compose', 'k8s'],
    reason: 'HTTP server tuning; the defaults fit max_concurrent_diagnoses=32 behind a proxy',
  },
  {
    flags: ['trusted_proxies'], services: ['gateway'], where: ['compose'],
    reason: 'one host and no proxy in front: the peer is the client (the k8s overlays set the Ingress range)',
  },
];
