#include "core/random.h"

#include <sodium.h>

#include <vector>

#include "core/status.h"

namespace ht {

uint32_t RandomSource::uniform(uint32_t bound) {
  HT_CHECK(bound > 0);
  // Reject the top sliver of the range that would make some values more likely than others.
  const uint32_t threshold = static_cast<uint32_t>(-bound) % bound;
  for (;;) {
    uint8_t b[4];
    fill(b, sizeof b);
    uint32_t r = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    if (r >= threshold) return r % bound;
  }
}

SodiumRandomSource::SodiumRandomSource() { HT_CHECK(sodium_init() >= 0); }

void SodiumRandomSource::fill(uint8_t* out, size_t n) { randombytes_buf(out, n); }

uint64_t SeededRandomSource::next() {
  state_ += 0x9E3779B97F4A7C15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void SeededRandomSource::fill(uint8_t* out, size_t n) {
  while (n > 0) {
    uint64_t v = next();
    for (int i = 0; i < 8 && n > 0; ++i, --n) {
      *out++ = static_cast<uint8_t>(v);
      v >>= 8;
    }
  }
}

std::string randomLowerId(RandomSource& random, const std::string& prefix, size_t n) {
  static constexpr char kBase32Lower[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::vector<uint8_t> bytes(n);
  random.fill(bytes.data(), bytes.size());
  std::string id = prefix;
  for (uint8_t b : bytes) id.push_back(kBase32Lower[b & 31]);
  return id;
}

}  // namespace ht
