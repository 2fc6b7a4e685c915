// Error values: Status (ok, or a code and a user-facing message) and Result<T> (a T, or a Status).
//
// Recoverable failures in sfs are values, not exceptions: a parser that meets a bad token, a
// socket that fails to bind, a file that is missing all return a Status the caller must look at
// ([[nodiscard]]). The message is written for the person who will read it — a parser puts
// "line:column: what went wrong near 'token'" in it — and the code lets programs branch on the
// kind of failure without parsing text. SFS_TRY / SFS_ASSIGN_OR_RETURN give the early return that
// keeps call chains flat (the shape of Rust's `?` and Abseil's RETURN_IF_ERROR).
//
// Rejected alternative: exceptions. They make every call site a possible exit that the reader
// cannot see, and a server must never unwind through its event loop because a client sent junk.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sfs::core {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // the input is malformed (parse errors, bad flags, protocol violations)
  kNotFound,         // a file, key or name does not exist
  kAlreadyExists,    // it does, and must not
  kIoError,          // the operating system said no (message carries strerror)
  kCorruption,       // stored data fails its own checks
  kUnsupported,      // valid, but not implemented here
  kTimeout,          // a deadline passed
  kClosed,           // the peer or the resource went away
  kLimitExceeded,    // a size, depth or count limit was hit
  kInternal,         // a bug: an invariant that should hold did not
};

// Returns "invalid argument", "not found", ... for messages and logs.
std::string_view code_name(Code code);

class [[nodiscard]] Status {
 public:
  // The default Status is OK.
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string message) {
    return Status(Code::kInvalidArgument, std::move(message));
  }
  static Status not_found(std::string message) { return Status(Code::kNotFound, std::move(message)); }
  static Status already_exists(std::string message) {
    return Status(Code::kAlreadyExists, std::move(message));
  }
  // An I/O failure; appends ": <strerror(err)>" to the message.
  static Status io_error(std::string message, int err);
  // An I/O failure described by the message alone.
  static Status io_error(std::string message) { return Status(Code::kIoError, std::move(message)); }
  static Status corruption(std::string message) {
    return Status(Code::kCorruption, std::move(message));
  }
  static Status unsupported(std::string message) {
    return Status(Code::kUnsupported, std::move(message));
  }
  static Status timeout(std::string message) { return Status(Code::kTimeout, std::move(message)); }
  static Status closed(std::string message) { return Status(Code::kClosed, std::move(message)); }
  static Status limit_exceeded(std::string message) {
    return Status(Code::kLimitExceeded, std::move(message));
  }
  static Status internal(std::string message) { return Status(Code::kInternal, std::move(message)); }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "not found: no such file 'x'" — the code's name, then the message.
  std::string to_string() const;

  // Prepends context: Status::not_found("x").with_context("loading config") has the message
  // "loading config: x".
  Status with_context(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A T, or the Status that explains why there is none. Constructed implicitly from either, so a
// function returning Result<int> can `return 42;` or `return Status::not_found("...")`.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.is_ok() && "a Result built from a Status must carry an error");
  }

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: is_ok().
  T& value() & {
    assert(is_ok());
    return *value_;
  }
  const T& value() const& {
    assert(is_ok());
    return *value_;
  }
  T&& value() && {
    assert(is_ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The value, or `fallback` when this holds an error.
  T value_or(T fallback) const& { return is_ok() ? *value_ : std::move(fallback); }

 private:
  std::optional<T> value_;
  Status status_;
};

namespace internal {
inline const Status& to_status(const Status& status) { return status; }
template <typename T>
Status to_status(const Result<T>& result) {
  return result.status();
}
}  // namespace internal

}  // namespace sfs::core

#define SFS_CONCAT_INNER_(a, b) a##b
#define SFS_CONCAT_(a, b) SFS_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Status or a Result<T>); returns its Status from the enclosing function when
// it is an error.
#define SFS_TRY(expr)                                                           \
  do {                                                                          \
    ::sfs::core::Status sfs_try_status_ = ::sfs::core::internal::to_status((expr)); \
    if (!sfs_try_status_.is_ok()) return sfs_try_status_;                       \
  } while (0)

// SFS_ASSIGN_OR_RETURN(auto fd, tcp_listen(...)); — evaluates a Result<T>; on error returns its
// Status from the enclosing function, otherwise declares/assigns `lhs` from the value.
#define SFS_ASSIGN_OR_RETURN(lhs, expr) \
  SFS_ASSIGN_OR_RETURN_IMPL_(SFS_CONCAT_(sfs_result_, __LINE__), lhs, expr)
#define SFS_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                               \
  if (!result.is_ok()) return result.status();        \
  lhs = std::move(result).value()
