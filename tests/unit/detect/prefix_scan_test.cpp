// The vector prefix scan against its plain loop: every position near vector boundaries, every
// number of prefixes up to and past the vector limit, and text made of near misses.
#include "detect/prefix_scan.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace ht::detect {
namespace {

uint32_t prefix(const char* four) {
  uint32_t v = 0;
  std::memcpy(&v, four, 4);
  return v;
}

// Every hit of the scanner, walking from 0 as the hunt does.
std::vector<size_t> allHits(const PrefixScanner& s, std::string_view text, bool scalar) {
  std::vector<size_t> hits;
  size_t at = 0;
  while (true) {
    at = scalar ? s.findScalar(text, at) : s.find(text, at);
    if (at >= text.size()) break;
    hits.push_back(at);
    ++at;
  }
  return hits;
}

TEST(PrefixScan, UsesAVectorLoopOnThisMachine) {
  PrefixScanner s({prefix("AKIA"), prefix("AIDA")});
  std::string impl = s.implementation();
#if defined(__x86_64__)
  EXPECT_NE(impl, "scalar");
#endif
  EXPECT_EQ(PrefixScanner({}).find("AKIA", 0), 4u);
}

TEST(PrefixScan, EveryOffsetAroundVectorBoundaries) {
  PrefixScanner s({prefix("AKIA"), prefix("AIDA")});
  for (size_t len = 0; len < 200; ++len) {
    for (size_t at = 0; at + 4 <= len; ++at) {
      // Near misses everywhere ("AKIB", "AIDB", "A..A"), one real prefix at `at`.
      std::string text(len, 'A');
      for (size_t i = 0; i < len; ++i) text[i] = "AKIBAIDBxAxxA"[i % 13];
      std::memcpy(text.data() + at, (at % 2) ? "AKIA" : "AIDA", 4);
      size_t want = s.findScalar(text, 0);
      ASSERT_EQ(s.find(text, 0), want) << "len " << len << " at " << at;
      ASSERT_LE(want, at);
      // Starting just past every earlier position finds the same next hit.
      for (size_t from = 0; from <= at; from += 7) {
        ASSERT_EQ(s.find(text, from), s.findScalar(text, from)) << len << "/" << at << "/" << from;
      }
    }
  }
}

TEST(PrefixScan, RandomTextWithOneToNinePrefixes) {
  std::mt19937 rng(42);
  const char* alphabet = "AKIDSROB\"{}:,0123456789 ";
  std::vector<uint32_t> pool = {prefix("AKIA"), prefix("AIDA"), prefix("ASIA"),
                                prefix("AROA"), prefix("ANPA"), prefix("AGPA"),
                                prefix("ABIA"), prefix("ACCA"), prefix("AIPA")};
  for (size_t n = 1; n <= pool.size(); ++n) {
    PrefixScanner s(std::vector<uint32_t>(pool.begin(), pool.begin() + n));
    if (n > PrefixScanner::kMaxVectorPrefixes) {
      EXPECT_STREQ(s.implementation(), "scalar");
    }
    for (int round = 0; round < 20; ++round) {
      std::string text(1000 + rng() % 3000, ' ');
      for (char& c : text) c = alphabet[rng() % std::strlen(alphabet)];
      for (int k = 0; k < 10; ++k) {
        uint32_t p = pool[rng() % pool.size()];
        std::memcpy(text.data() + rng() % (text.size() - 4), &p, 4);
      }
      ASSERT_EQ(allHits(s, text, false), allHits(s, text, true)) << "n=" << n;
    }
  }
}

TEST(PrefixScan, DuplicatePrefixesAndEndOfText) {
  PrefixScanner s({prefix("AKIA"), prefix("AKIA")});
  std::string text(100, 'x');
  std::memcpy(text.data() + 96, "AKIA", 4);
  EXPECT_EQ(s.find(text, 0), 96u);
  EXPECT_EQ(s.find(text, 97), 100u);
  EXPECT_EQ(s.find(std::string_view(text).substr(0, 99), 0), 99u);  // cut prefix: no hit
  EXPECT_EQ(s.find(text, 500), 100u);
}

}  // namespace
}  // namespace ht::detect
