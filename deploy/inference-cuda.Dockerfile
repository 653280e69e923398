# syntax=docker/dockerfile:1.6
#
# skinlens-inference built against a CUDA LibTorch: the image the k8s `gpu`
# overlay selects (skinlens/inference:<tag>-cuda).
#
#   docker build -f deploy/inference-cuda.Dockerfile -t skinlens/inference:0.1.0-cuda .
#
# Why a separate file: Debian's LibTorch (libtorch1.13) is built without CUDA,
# so `--device=cuda` fails with it. A CUDA build has to come from PyTorch's own
# distribution (download.pytorch.org/libtorch), which bundles the CUDA runtime,
# cuBLAS and cuDNN it was built with ("shared-with-deps"); the node needs only
# the NVIDIA driver and the NVIDIA container runtime / device plugin.
#
# The default is LibTorch 1.13.1 + CUDA 11.7 (C++11 ABI): the same LibTorch
# version as Debian's, so the code compiles unchanged; it needs an NVIDIA
# driver >= 515 on the node. Every other library (gRPC, Abseil, protobuf, ...)
# is still Debian 12's, as in deploy/Dockerfile.
#
# NOT VERIFIED: this image has not been built or run (no Docker, no GPU where it
# was written). Known risks to check on the first build: PyTorch's LibTorch
# links its own protobuf; if `nm -D /opt/libtorch/lib/libtorch_cpu.so | grep
# google::protobuf` shows exported protobuf symbols, they can clash with
# Debian's libprotobuf32 at run time. `tests/cuda/` holds the CUDA checks to run
# in the built image (`--device=cuda`, a Predict through the batcher).

ARG DEBIAN_IMAGE=debian:bookworm-slim
ARG LIBTORCH_URL=https://download.pytorch.org/libtorch/cu117/libtorch-cxx11-abi-shared-with-deps-1.13.1%2Bcu117.zip
# sha256 of the zip above; the build fails when the download does not match.
# Fill in from the first trusted download (`sha256sum libtorch.zip`).
ARG LIBTORCH_SHA256=

FROM ${DEBIAN_IMAGE} AS build
ARG LIBTORCH_URL
ARG LIBTORCH_SHA256
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates curl unzip \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      libabsl-dev libspdlog-dev nlohmann-json3-dev libcpp-httplib-dev libyaml-cpp-dev \
      libopencv-dev libjpeg62-turbo-dev libpqxx-dev libsqlite3-dev libargon2-dev libsodium-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL -o /tmp/libtorch.zip "${LIBTORCH_URL}" \
 && if [ -n "${LIBTORCH_SHA256}" ]; then \
      echo "${LIBTORCH_SHA256}  /tmp/libtorch.zip" | sha256sum -c -; \
    else \
      echo "warning: LIBTORCH_SHA256 is empty, the download is not verified" >&2; \
    fi \
 && unzip -q /tmp/libtorch.zip -d /opt \
 && rm /tmp/libtorch.zip
WORKDIR /src
COPY . .
# Torch_DIR points find_package(Torch) at PyTorch's LibTorch instead of
# Debian's (libtorch-dev is not installed in this stage).
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSKINLENS_BUILD_TESTS=OFF \
      -DTorch_DIR=/opt/libtorch/share/cmake/Torch \
 && ninja -C /build skinlens-inference \
 && mkdir -p /out/bin \
 && cp /build/services/inference/skinlens-inference /out/bin/ \
 && strip --strip-unneeded /out/bin/skinlens-inference

FROM ${DEBIAN_IMAGE} AS inference-cuda
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libgrpc++1.51 libprotobuf32 libabsl20220623 libspdlog1.10 libcpp-httplib0.11 \
      libssl3 libgomp1 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 skinlens \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/skinlens --create-home \
      --shell /usr/sbin/nologin skinlens
# Only the shared libraries; headers and CMake files stay in the build stage.
COPY --from=build /opt/libtorch/lib/ /opt/libtorch/lib/
COPY --from=build /out/bin/skinlens-inference /opt/skinlens/bin/
COPY models/demo/ /opt/skinlens/models/demo/
WORKDIR /var/lib/skinlens
ENV LD_LIBRARY_PATH=/opt/libtorch/lib \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    SKINLENS_HOST=0.0.0.0 \
    SKINLENS_ADMIN_PORT=9090 \
    SKINLENS_PORT=50053 \
    SKINLENS_MODEL=/opt/skinlens/models/demo \
    SKINLENS_MODEL_DIR=/opt/skinlens/models \
    SKINLENS_DEVICE=cuda
EXPOSE 50053 9090
USER 10001:10001
ENTRYPOINT ["/opt/skinlens/bin/skinlens-inference"]
