#include "detect/prefix_scan.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define HT_PREFIX_SCAN_X86 1
#endif

namespace ht::detect {

// The distinct first and last bytes of the prefixes ("AKIA", "AIDA": {'A'} and {'A'}). Most
// vectors are ruled out by these two compares alone; only those with a position that starts and
// ends like a prefix get the full four-byte check.
struct EndBytes {
  uint8_t first[PrefixScanner::kMaxVectorPrefixes];
  uint8_t last[PrefixScanner::kMaxVectorPrefixes];
  size_t n_first = 0;
  size_t n_last = 0;
};

namespace {

uint32_t load32(const char* p) {
  uint32_t v = 0;
  std::memcpy(&v, p, 4);
  return v;
}

uint8_t byteOf(uint32_t prefix, int i) { return static_cast<uint8_t>(prefix >> (8 * i)); }

#ifdef HT_PREFIX_SCAN_X86
EndBytes endBytes(const uint32_t* prefixes, size_t n) {
  EndBytes e;
  for (size_t k = 0; k < n; ++k) {
    uint8_t f = byteOf(prefixes[k], 0);
    uint8_t l = byteOf(prefixes[k], 3);
    if (std::find(e.first, e.first + e.n_first, f) == e.first + e.n_first) e.first[e.n_first++] = f;
    if (std::find(e.last, e.last + e.n_last, l) == e.last + e.n_last) e.last[e.n_last++] = l;
  }
  return e;
}

// Positions p..p+31 whose four bytes equal a prefix: byte k of each is compared in the k-th
// shifted load, and the masks are ANDed. Returns the first hit or the first position it could not
// test with whole vectors (the caller finishes the tail).
__attribute__((target("avx2"))) const char* findAvx2(const char* p, const char* end,
                                                     const uint32_t* prefixes, size_t n,
                                                     const EndBytes& ends, bool* hit) {
  __m256i first[PrefixScanner::kMaxVectorPrefixes];
  __m256i last[PrefixScanner::kMaxVectorPrefixes];
  for (size_t k = 0; k < ends.n_first; ++k)
    first[k] = _mm256_set1_epi8(static_cast<char>(ends.first[k]));
  for (size_t k = 0; k < ends.n_last; ++k)
    last[k] = _mm256_set1_epi8(static_cast<char>(ends.last[k]));
  __m256i want[PrefixScanner::kMaxVectorPrefixes][4];
  for (size_t k = 0; k < n; ++k) {
    for (int b = 0; b < 4; ++b) {
      want[k][b] = _mm256_set1_epi8(static_cast<char>(byteOf(prefixes[k], b)));
    }
  }
  while (end - p >= 32 + 3) {
    __m256i c0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    __m256i c3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 3));
    __m256i f = _mm256_cmpeq_epi8(c0, first[0]);
    for (size_t k = 1; k < ends.n_first; ++k)
      f = _mm256_or_si256(f, _mm256_cmpeq_epi8(c0, first[k]));
    __m256i l = _mm256_cmpeq_epi8(c3, last[0]);
    for (size_t k = 1; k < ends.n_last; ++k) l = _mm256_or_si256(l, _mm256_cmpeq_epi8(c3, last[k]));
    if (_mm256_movemask_epi8(_mm256_and_si256(f, l)) != 0) {
      __m256i c1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 1));
      __m256i c2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 2));
      __m256i any = _mm256_setzero_si256();
      for (size_t k = 0; k < n; ++k) {
        __m256i m = _mm256_and_si256(
            _mm256_and_si256(_mm256_cmpeq_epi8(c0, want[k][0]), _mm256_cmpeq_epi8(c1, want[k][1])),
            _mm256_and_si256(_mm256_cmpeq_epi8(c2, want[k][2]), _mm256_cmpeq_epi8(c3, want[k][3])));
        any = _mm256_or_si256(any, m);
      }
      uint32_t mask = static_cast<uint32_t>(_mm256_movemask_epi8(any));
      if (mask != 0) {
        *hit = true;
        return p + __builtin_ctz(mask);
      }
    }
    p += 32;
  }
  *hit = false;
  return p;
}

// The same 64 positions at a time, with compare results in mask registers (AVX-512BW).
__attribute__((target("avx512f,avx512bw"))) const char* findAvx512(const char* p, const char* end,
                                                                   const uint32_t* prefixes,
                                                                   size_t n, const EndBytes& ends,
                                                                   bool* hit) {
  __m512i first[PrefixScanner::kMaxVectorPrefixes];
  __m512i last[PrefixScanner::kMaxVectorPrefixes];
  for (size_t k = 0; k < ends.n_first; ++k)
    first[k] = _mm512_set1_epi8(static_cast<char>(ends.first[k]));
  for (size_t k = 0; k < ends.n_last; ++k)
    last[k] = _mm512_set1_epi8(static_cast<char>(ends.last[k]));
  while (end - p >= 64 + 3) {
    __m512i c0 = _mm512_loadu_si512(p);
    __m512i c3 = _mm512_loadu_si512(p + 3);
    __mmask64 f = _mm512_cmpeq_epi8_mask(c0, first[0]);
    for (size_t k = 1; k < ends.n_first; ++k) f |= _mm512_cmpeq_epi8_mask(c0, first[k]);
    __mmask64 l = _mm512_cmpeq_epi8_mask(c3, last[0]);
    for (size_t k = 1; k < ends.n_last; ++k) l |= _mm512_cmpeq_epi8_mask(c3, last[k]);
    uint64_t maybe = f & l;
    // Few positions start and end like a prefix: check just those, four bytes at a time.
    while (maybe != 0) {
      const char* q = p + __builtin_ctzll(maybe);
      uint32_t v = load32(q);
      for (size_t k = 0; k < n; ++k) {
        if (v == prefixes[k]) {
          *hit = true;
          return q;
        }
      }
      maybe &= maybe - 1;
    }
    p += 64;
  }
  *hit = false;
  return p;
}

// The same with 16-byte registers: SSE2 is part of x86-64 itself, so this always runs.
const char* findSse2(const char* p, const char* end, const uint32_t* prefixes, size_t n,
                     const EndBytes& ends, bool* hit) {
  __m128i first[PrefixScanner::kMaxVectorPrefixes];
  __m128i last[PrefixScanner::kMaxVectorPrefixes];
  for (size_t k = 0; k < ends.n_first; ++k)
    first[k] = _mm_set1_epi8(static_cast<char>(ends.first[k]));
  for (size_t k = 0; k < ends.n_last; ++k) last[k] = _mm_set1_epi8(static_cast<char>(ends.last[k]));
  __m128i want[PrefixScanner::kMaxVectorPrefixes][4];
  for (size_t k = 0; k < n; ++k) {
    for (int b = 0; b < 4; ++b)
      want[k][b] = _mm_set1_epi8(static_cast<char>(byteOf(prefixes[k], b)));
  }
  while (end - p >= 16 + 3) {
    __m128i c0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i c3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 3));
    __m128i f = _mm_cmpeq_epi8(c0, first[0]);
    for (size_t k = 1; k < ends.n_first; ++k) f = _mm_or_si128(f, _mm_cmpeq_epi8(c0, first[k]));
    __m128i l = _mm_cmpeq_epi8(c3, last[0]);
    for (size_t k = 1; k < ends.n_last; ++k) l = _mm_or_si128(l, _mm_cmpeq_epi8(c3, last[k]));
    if (_mm_movemask_epi8(_mm_and_si128(f, l)) != 0) {
      __m128i c1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
      __m128i c2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2));
      __m128i any = _mm_setzero_si128();
      for (size_t k = 0; k < n; ++k) {
        __m128i m = _mm_and_si128(
            _mm_and_si128(_mm_cmpeq_epi8(c0, want[k][0]), _mm_cmpeq_epi8(c1, want[k][1])),
            _mm_and_si128(_mm_cmpeq_epi8(c2, want[k][2]), _mm_cmpeq_epi8(c3, want[k][3])));
        any = _mm_or_si128(any, m);
      }
      uint32_t mask = static_cast<uint32_t>(_mm_movemask_epi8(any));
      if (mask != 0) {
        *hit = true;
        return p + __builtin_ctz(mask);
      }
    }
    p += 16;
  }
  *hit = false;
  return p;
}
#endif

}  // namespace

PrefixScanner::PrefixScanner(std::vector<uint32_t> prefixes) : prefixes_(std::move(prefixes)) {
  std::sort(prefixes_.begin(), prefixes_.end());
  prefixes_.erase(std::unique(prefixes_.begin(), prefixes_.end()), prefixes_.end());
#ifdef HT_PREFIX_SCAN_X86
  use_avx2_ = __builtin_cpu_supports("avx2");
  use_avx512_ = __builtin_cpu_supports("avx512bw");
  if (prefixes_.size() <= kMaxVectorPrefixes) {
    ends_ = std::make_shared<EndBytes>(endBytes(prefixes_.data(), prefixes_.size()));
  }
#endif
}

const char* PrefixScanner::implementation() const {
  if (prefixes_.empty() || prefixes_.size() > kMaxVectorPrefixes) return "scalar";
#ifdef HT_PREFIX_SCAN_X86
  return use_avx512_ ? "avx512bw" : use_avx2_ ? "avx2" : "sse2";
#else
  return "scalar";
#endif
}

size_t PrefixScanner::findScalar(std::string_view text, size_t from) const {
  if (prefixes_.empty()) return text.size();
  for (size_t i = from; i + 4 <= text.size(); ++i) {
    uint32_t v = load32(text.data() + i);
    if (std::binary_search(prefixes_.begin(), prefixes_.end(), v)) return i;
  }
  return text.size();
}

size_t PrefixScanner::find(std::string_view text, size_t from) const {
  if (prefixes_.empty() || from >= text.size()) return text.size();
#ifdef HT_PREFIX_SCAN_X86
  if (prefixes_.size() <= kMaxVectorPrefixes) {
    const char* begin = text.data();
    const char* end = begin + text.size();
    bool hit = false;
    const char* p = nullptr;
    if (use_avx512_) {
      p = findAvx512(begin + from, end, prefixes_.data(), prefixes_.size(), *ends_, &hit);
    } else if (use_avx2_) {
      p = findAvx2(begin + from, end, prefixes_.data(), prefixes_.size(), *ends_, &hit);
    } else {
      p = findSse2(begin + from, end, prefixes_.data(), prefixes_.size(), *ends_, &hit);
    }
    if (hit) return static_cast<size_t>(p - begin);
    // Whole vectors ran out: the scalar loop finishes the last few positions.
    return findScalar(text, static_cast<size_t>(p - begin));
  }
#endif
  return findScalar(text, from);
}

}  // namespace ht::detect
