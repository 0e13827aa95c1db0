// Status and Result<T>: errors as values across module boundaries (after LevelDB's Status and
// std::expected, which libstdc++ 12 does not ship). A Status is cheap when OK: one enum.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ht {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller gave something malformed (a key ID, a flag, a config value)
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // creating something that is already there
  kCorruption,          // stored data or a file on disk is damaged or not what it claims to be
  kIoError,             // the file system or the network said no
  kPermissionDenied,    // not allowed to read or write something
  kFailedPrecondition,  // the operation does not apply to the object in its current state
  kUnsupported,         // a valid request this build cannot serve
  kInternal,            // a bug: an invariant did not hold
};

const char* statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;

  static Status ok() { return Status(); }
  static Status invalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status notFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status alreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status ioError(std::string msg) { return {StatusCode::kIoError, std::move(msg)}; }
  static Status permissionDenied(std::string msg) {
    return {StatusCode::kPermissionDenied, std::move(msg)};
  }
  static Status failedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status unsupported(std::string msg) { return {StatusCode::kUnsupported, std::move(msg)}; }
  static Status internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool isOk() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: token 'x' is not registered"
  std::string toString() const;

  // Returns a copy whose message is prefixed with context ("loading config: ...").
  Status withContext(const std::string& context) const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds either a T or a non-OK Status. Shaped like std::expected so it can be swapped later.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool hasValue() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return hasValue(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; only meaningful when !hasValue().
  const Status& status() const {
    static const Status kOkStatus;
    return hasValue() ? kOkStatus : std::get<Status>(v_);
  }
  const Status& error() const { return status(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ht

// Propagate a non-OK Status from an expression returning Status.
#define HT_RETURN_IF_ERROR(expr)                       \
  do {                                                 \
    ::ht::Status ht_status_tmp_ = (expr);              \
    if (!ht_status_tmp_.isOk()) return ht_status_tmp_; \
  } while (0)

#define HT_CONCAT_INNER_(a, b) a##b
#define HT_CONCAT_(a, b) HT_CONCAT_INNER_(a, b)

// `HT_ASSIGN_OR_RETURN(auto x, makeX());` declares x or returns the error.
#define HT_ASSIGN_OR_RETURN(decl, expr) \
  HT_ASSIGN_OR_RETURN_IMPL_(HT_CONCAT_(ht_result_, __LINE__), decl, expr)
#define HT_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                               \
  if (!tmp.hasValue()) return tmp.status();        \
  decl = std::move(tmp).value()

// Broken invariants stop the process: they are bugs, not runtime conditions.
#define HT_CHECK(cond)                                                 \
  do {                                                                 \
    if (!(cond)) ::ht::detail::checkFailed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace ht::detail {
[[noreturn]] void checkFailed(const char* cond, const char* file, int line);
}
