// Early-return helpers for absl::Status and absl::StatusOr.
//
// Debian's Abseil (20220623) does not ship ABSL_RETURN_IF_ERROR / ASSIGN_OR_RETURN,
// so the project defines its own once, here.
//
//   SKINLENS_RETURN_IF_ERROR(store.Open(path));
//   SKINLENS_ASSIGN_OR_RETURN(Image image, DecodeImage(bytes));
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SKINLENS_STATUS_CONCAT_INNER(a, b) a##b
#define SKINLENS_STATUS_CONCAT(a, b) SKINLENS_STATUS_CONCAT_INNER(a, b)

// Evaluates `expr` (an absl::Status) once and returns it from the enclosing
// function when it is not OK.
#define SKINLENS_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::absl::Status skinlens_status_ = (expr);            \
    if (!skinlens_status_.ok()) return skinlens_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>) once; on error returns its status,
// otherwise moves the value into `lhs`, which may be a declaration.
#define SKINLENS_ASSIGN_OR_RETURN(lhs, rexpr) \
  SKINLENS_ASSIGN_OR_RETURN_IMPL(SKINLENS_STATUS_CONCAT(skinlens_statusor_, __LINE__), lhs, rexpr)

#define SKINLENS_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = std::move(statusor).value()
