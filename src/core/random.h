// Randomness as a seam: production draws from libsodium's CSPRNG, tests from a seeded source so
// that generated names, IDs and keys are repeatable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ht {

// Where random bytes come from, so tests can make key generation deterministic.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void fill(uint8_t* out, size_t n) = 0;

  // A uniform value in [0, bound) without modulo bias; bound must be > 0.
  uint32_t uniform(uint32_t bound);
};

// Cryptographically secure randomness from libsodium; what production code uses.
class SodiumRandomSource final : public RandomSource {
 public:
  SodiumRandomSource();  // calls sodium_init(), which is idempotent
  void fill(uint8_t* out, size_t n) override;
};

// A seeded, reproducible generator (splitmix64). For tests only: it is not secret.
class SeededRandomSource final : public RandomSource {
 public:
  explicit SeededRandomSource(uint64_t seed) : state_(seed) {}
  void fill(uint8_t* out, size_t n) override;

 private:
  uint64_t next();
  uint64_t state_;
};

// prefix + n random lower-case base32 characters: the registry's IDs ("ht-...", "inc-...").
std::string randomLowerId(RandomSource& random, const std::string& prefix, size_t n = 10);

}  // namespace ht
