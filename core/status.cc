// Status and Result: see status.h.
#include "core/status.h"

#include <cstring>

namespace sfs::core {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kNotFound: return "not found";
    case Code::kAlreadyExists: return "already exists";
    case Code::kIoError: return "i/o error";
    case Code::kCorruption: return "corruption";
    case Code::kUnsupported: return "unsupported";
    case Code::kTimeout: return "timeout";
    case Code::kClosed: return "closed";
    case Code::kLimitExceeded: return "limit exceeded";
    case Code::kInternal: return "internal error";
  }
  return "unknown";
}

Status Status::io_error(std::string message, int err) {
  message += ": ";
  message += std::strerror(err);
  return Status(Code::kIoError, std::move(message));
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(code_name(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::with_context(std::string_view context) const {
  if (is_ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return Status(code_, std::move(message));
}

}  // namespace sfs::core
