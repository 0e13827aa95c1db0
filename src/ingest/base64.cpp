#include "ingest/base64.h"

#include <array>
#include <cstdint>

namespace ht::ingest {
namespace {

constexpr int kSkip = -2;
constexpr int kBad = -1;

constexpr std::array<int, 256> makeTable() {
  std::array<int, 256> t{};
  for (auto& v : t) v = kBad;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
  t[' '] = t['\n'] = t['\r'] = t['\t'] = kSkip;
  return t;
}
constexpr std::array<int, 256> kTable = makeTable();

}  // namespace

bool looksLikeBase64(std::string_view text) {
  size_t significant = 0;
  size_t padding = 0;
  for (unsigned char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    int v = kTable[c];
    if (v == kBad || (v >= 0 && padding > 0)) return false;
    if (v >= 0) ++significant;
  }
  // Short words like "true" or "null" are base64-clean too; a real payload is never that small.
  return padding <= 2 && significant >= 16 && (significant + padding) % 4 != 1;
}

std::optional<std::string> decodeBase64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  int bits = 0;
  bool padded = false;
  for (unsigned char c : text) {
    if (c == '=') {
      padded = true;
      continue;
    }
    int v = kTable[c];
    if (v == kSkip) continue;
    if (v == kBad || padded) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace ht::ingest
