// Finds where one of a few 4-byte prefixes ("AKIA", "AIDA", ...) starts in a buffer. This is the
// innermost loop of the hunt: every byte of every archive passes through it, so it compares 32
// (AVX2) or 16 (SSE2) positions at once against every prefix instead of stopping at each 'A'.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace ht::detect {

struct EndBytes;  // the vector loops' pre-filter, computed once per scanner

class PrefixScanner {
 public:
  // At most kMaxVectorPrefixes are compared in vector registers; more fall back to a scalar loop
  // (still correct, only slower). Prefixes are 4 bytes each, as read by memcpy into a uint32_t.
  static constexpr size_t kMaxVectorPrefixes = 8;

  explicit PrefixScanner(std::vector<uint32_t> prefixes);

  // The first position at or after from where a prefix starts, or text.size() if none does.
  size_t find(std::string_view text, size_t from) const;

  // The plain loop, used for the tail of a buffer and as the reference in tests.
  size_t findScalar(std::string_view text, size_t from) const;

  // Which implementation find() uses on this CPU: "avx512bw", "avx2", "sse2" or "scalar".
  const char* implementation() const;

 private:
  std::vector<uint32_t> prefixes_;
  std::shared_ptr<const EndBytes> ends_;
  bool use_avx2_ = false;
  bool use_avx512_ = false;
};

}  // namespace ht::detect
