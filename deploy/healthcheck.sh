#!/bin/bash
# The container healthcheck of every SkinLens service image: GET /healthz on
# the admin port (SKINLENS_ADMIN_PORT, 9090) answers 200 once the server runs
# (for inference and explain, after the model is loaded and warmed up) and 503
# while it drains. The images carry no HTTP client; bash's /dev/tcp is enough.
set -uo pipefail
exec 3<> "/dev/tcp/127.0.0.1/${SKINLENS_ADMIN_PORT:-9090}" || exit 1
printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
[[ "$status" == *" 200 "* ]]
