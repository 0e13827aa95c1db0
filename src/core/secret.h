// SecretString holds secret material (an AWS secret access key, a master key). It zeroes its
// buffer when destroyed, never converts to a string implicitly, and prints as [REDACTED], so a
// secret cannot reach a log line or error message by accident.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace ht {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  SecretString(const SecretString& other) : value_(other.value_) {}
  SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  SecretString& operator=(const SecretString& other);
  SecretString& operator=(SecretString&& other) noexcept;
  ~SecretString() { wipe(); }

  // The only way to read the secret; call sites are easy to find and review.
  std::string_view reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }
  void wipe();

  friend std::ostream& operator<<(std::ostream& os, const SecretString&) {
    return os << "[REDACTED]";
  }

 private:
  std::string value_;
};

// Overwrites memory in a way the compiler may not optimise out.
void secureZero(void* p, size_t n);

}  // namespace ht
