#include "core/secret.h"

#include <sodium.h>

namespace ht {

void secureZero(void* p, size_t n) {
  if (p != nullptr && n > 0) sodium_memzero(p, n);
}

void SecretString::wipe() {
  secureZero(value_.data(), value_.size());
  value_.clear();
}

SecretString& SecretString::operator=(const SecretString& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

}  // namespace ht
