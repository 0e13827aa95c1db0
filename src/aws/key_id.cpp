#include "aws/key_id.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/strings.h"

namespace ht::aws {

namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kKeyIdLength = 20;
constexpr size_t kPrefixLength = 4;
constexpr size_t kSuffixLength = 16;
constexpr size_t kSecretLength = 40;
// Runs this long are what people type when they invent a key; random text almost never has them.
constexpr size_t kRepeatRunLength = 4;
constexpr size_t kSequenceRunLength = 5;
// Enough draws that a passing key is found for any account that can yield one (a random draw
// passes far more often than one time in a hundred).
constexpr int kMaxDraws = 1000;

struct PrefixInfo {
  const char* kind;
  bool is_access_key;
};

// From the IAM User Guide, "Unique identifier prefixes".
const std::map<std::string, PrefixInfo, std::less<>>& prefixTable() {
  static const std::map<std::string, PrefixInfo, std::less<>> kTable = {
      {"ABIA", {"AWS STS service bearer token", false}},
      {"ACCA", {"context-specific credential", false}},
      {"AGPA", {"user group", false}},
      {"AIDA", {"IAM user", false}},
      {"AIPA", {"Amazon EC2 instance profile", false}},
      {"AKIA", {"access key (long-term, IAM user)", true}},
      {"ANPA", {"managed policy", false}},
      {"ANVA", {"version in a managed policy", false}},
      {"APKA", {"public key", false}},
      {"AROA", {"role", false}},
      {"ASCA", {"certificate", false}},
      {"ASIA", {"temporary access key (STS)", true}},
  };
  return kTable;
}

// Prefixes the public scanners match as AWS credentials; anything else is not worth stealing.
constexpr std::array<std::string_view, 4> kScannedKeyPrefixes = {"AKIA", "ASIA", "ABIA", "ACCA"};

// The values in AWS documentation and the SigV4 test suite. Scanners and attackers ignore them.
constexpr std::array<std::string_view, 3> kDocumentedKeyIds = {
    "AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE", "ASIAIOSFODNN7EXAMPLE"};
constexpr std::array<std::string_view, 3> kDocumentedSecrets = {
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"};

int base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// Decodes exactly 16 base32 characters into 10 bytes; false on a character outside A-Z2-7.
bool decodeSuffix(std::string_view suffix, std::array<uint8_t, 10>* out) {
  if (suffix.size() != kSuffixLength) return false;
  uint32_t buffer = 0;
  int bits = 0;
  size_t n = 0;
  for (char c : suffix) {
    int v = base32Value(c);
    if (v < 0) return false;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      (*out)[n++] = static_cast<uint8_t>((buffer >> bits) & 0xFF);
    }
  }
  return n == out->size();
}

std::string encodeSuffix(const std::array<uint8_t, 10>& bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kBase32Alphabet[(buffer >> bits) & 0x1F];
    }
  }
  return out;
}

std::string formatBits(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Same character repeated, or consecutive characters (ABCDE, 34567, edcba).
void checkRuns(std::string_view s, std::vector<std::string>* reasons) {
  size_t repeat = 1;
  size_t up = 1;
  size_t down = 1;
  bool repeat_reported = false;
  bool sequence_reported = false;
  for (size_t i = 1; i < s.size(); ++i) {
    repeat = s[i] == s[i - 1] ? repeat + 1 : 1;
    up = s[i] == s[i - 1] + 1 ? up + 1 : 1;
    down = s[i] == s[i - 1] - 1 ? down + 1 : 1;
    if (repeat >= kRepeatRunLength && !repeat_reported) {
      reasons->push_back("'" + std::string(s.substr(i + 1 - repeat, repeat)) +
                         "' repeats one character " + std::to_string(repeat) + " times");
      repeat_reported = true;
    }
    size_t seq = std::max(up, down);
    if (seq >= kSequenceRunLength && !sequence_reported) {
      reasons->push_back("'" + std::string(s.substr(i + 1 - seq, seq)) + "' is a sequential run");
      sequence_reported = true;
    }
  }
}

void checkExamples(std::string_view s, const std::string_view* examples, size_t count,
                   std::vector<std::string>* reasons) {
  for (size_t i = 0; i < count; ++i) {
    if (s == examples[i]) {
      reasons->push_back("is the example value from the AWS documentation");
      break;
    }
  }
  if (toLower(s).find("example") != std::string::npos) reasons->push_back("contains 'EXAMPLE'");
}

void writeAccount(std::array<uint8_t, 10>* bytes, uint64_t account, RandomSource& random) {
  random.fill(bytes->data(), bytes->size());
  // Bit 47 marks the new format (first character Q-Z or 2-7); bits 46..7 hold the account;
  // the low 7 bits of the 48-bit value and the last 4 bytes stay random.
  uint64_t v = (uint64_t{1} << 47) | (account << 7) | ((*bytes)[5] & 0x7F);
  for (int i = 0; i < 6; ++i) (*bytes)[i] = static_cast<uint8_t>(v >> (8 * (5 - i)));
}

std::string drawKeyId(uint64_t account, RandomSource& random) {
  std::array<uint8_t, 10> bytes{};
  writeAccount(&bytes, account, random);
  std::string key = "AKIA" + encodeSuffix(bytes);
  secureZero(bytes.data(), bytes.size());
  return key;
}

}  // namespace

KeyIdInfo inspectKeyId(std::string_view key_id) {
  KeyIdInfo info;
  info.key_id = std::string(key_id);
  std::vector<std::string> errors;
  if (key_id.size() != kKeyIdLength) {
    errors.push_back("length is " + std::to_string(key_id.size()) + ", expected " +
                     std::to_string(kKeyIdLength) +
                     " (a 4-character prefix and 16 base32 characters)");
  }
  info.prefix = std::string(key_id.substr(0, kPrefixLength));
  const auto& table = prefixTable();
  auto it = table.find(info.prefix);
  if (it == table.end()) {
    errors.push_back("unknown prefix '" + info.prefix + "'");
  } else {
    info.kind = it->second.kind;
    info.is_access_key = it->second.is_access_key;
  }
  for (size_t i = kPrefixLength; i < key_id.size(); ++i) {
    if (base32Value(key_id[i]) < 0) {
      errors.push_back("character '" + std::string(1, key_id[i]) + "' at position " +
                       std::to_string(i + 1) + " is not base32 (A-Z, 2-7)");
    }
  }
  info.valid_format = errors.empty();
  if (!info.valid_format) {
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i > 0) info.format_error += "; ";
      info.format_error += errors[i];
    }
    info.account_note = "malformed ID: no account can be decoded";
    return info;
  }
  info.account_id = decodeAccountId(key_id);
  if (!info.account_id) {
    info.account_note =
        "old-format ID (first character after the prefix is I or J): it carries no account ID";
  }
  return info;
}

std::optional<std::string> decodeAccountId(std::string_view key_id) {
  if (key_id.size() != kKeyIdLength) return std::nullopt;
  std::string_view suffix = key_id.substr(kPrefixLength);
  // Old-format IDs predate the account encoding.
  if (suffix[0] == 'I' || suffix[0] == 'J') return std::nullopt;
  std::array<uint8_t, 10> bytes{};
  if (!decodeSuffix(suffix, &bytes)) return std::nullopt;
  uint64_t v = 0;
  for (int i = 0; i < 6; ++i) v = (v << 8) | bytes[i];
  uint64_t account = (v & 0x7FFFFFFFFF80ULL) >> 7;
  char buf[24];
  std::snprintf(buf, sizeof buf, "%012llu", static_cast<unsigned long long>(account));
  return std::string(buf);
}

bool isValidAccountId(std::string_view account_id) {
  if (account_id.size() != 12) return false;
  for (char c : account_id) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string makeAccessKeyId(const std::string& account_id12, RandomSource& random) {
  HT_CHECK(isValidAccountId(account_id12));
  const uint64_t account = std::stoull(account_id12);
  std::string key;
  for (int i = 0; i < kMaxDraws; ++i) {
    key = drawKeyId(account, random);
    if (checkKeyIdLooksReal(key).passes) break;
  }
  return key;
}

SecretString makeSecretAccessKey(RandomSource& random) {
  for (int attempt = 0; attempt < kMaxDraws; ++attempt) {
    std::array<uint8_t, kSecretLength> bytes{};
    random.fill(bytes.data(), bytes.size());
    std::string candidate(kSecretLength, '\0');
    // 256 is a multiple of 64, so the low six bits are uniform over the alphabet.
    for (size_t i = 0; i < bytes.size(); ++i) {
      candidate[i] = kBase64Alphabet[bytes[i] & 0x3F];
    }
    secureZero(bytes.data(), bytes.size());
    if (checkSecretLooksReal(candidate).passes) return SecretString(std::move(candidate));
    secureZero(candidate.data(), candidate.size());
  }
  // A source that cannot produce one passing string in a thousand is broken (or a test stub).
  const bool random_source_works = false;
  HT_CHECK(random_source_works);
  return SecretString();
}

Status checkSyntheticAccountId(std::string_view account_id) {
  if (!isValidAccountId(account_id)) {
    return Status::invalidArgument("account ID '" + std::string(account_id) + "' is not 12 digits");
  }
  const uint64_t account = std::stoull(std::string(account_id));
  // The first eight characters after AKIA are fixed by the account; if they hold an obvious run,
  // no draw of the random bits can hide it. A fixed seed keeps this check reproducible.
  SeededRandomSource random(account);
  ScannerCheck last;
  for (int i = 0; i < 200; ++i) {
    last = checkKeyIdLooksReal(drawKeyId(account, random));
    if (last.passes) return Status::ok();
  }
  std::string why;
  for (const auto& r : last.reasons) why += (why.empty() ? "" : "; ") + r;
  return Status::invalidArgument("account ID '" + std::string(account_id) +
                                 "' cannot yield key IDs that pass secret-scanner filters (" + why +
                                 ")");
}

std::string randomAccountId(RandomSource& random) {
  for (;;) {
    std::string id(12, '0');
    id[0] = static_cast<char>('1' + random.uniform(9));
    for (size_t i = 1; i < id.size(); ++i) id[i] = static_cast<char>('0' + random.uniform(10));
    if (checkSyntheticAccountId(id).isOk()) return id;
  }
}

double shannonEntropy(std::string_view text) {
  if (text.empty()) return 0;
  std::array<size_t, 256> counts{};
  for (char c : text) ++counts[static_cast<unsigned char>(c)];
  double h = 0;
  const double n = static_cast<double>(text.size());
  for (size_t c : counts) {
    if (c == 0) continue;
    double p = static_cast<double>(c) / n;
    h -= p * std::log2(p);
  }
  return h;
}

ScannerCheck checkKeyIdLooksReal(std::string_view key_id) {
  ScannerCheck check;
  auto& reasons = check.reasons;
  if (key_id.size() != kKeyIdLength) {
    reasons.push_back("length is " + std::to_string(key_id.size()) + ", real key IDs have 20");
  }
  std::string_view prefix = key_id.substr(0, kPrefixLength);
  bool known_prefix = false;
  for (auto p : kScannedKeyPrefixes) known_prefix = known_prefix || p == prefix;
  if (!known_prefix) {
    reasons.push_back("prefix '" + std::string(prefix) +
                      "' is not an access-key prefix (AKIA, ASIA, ABIA, ACCA)");
  }
  std::string_view suffix = key_id.size() > kPrefixLength ? key_id.substr(kPrefixLength) : "";
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (base32Value(suffix[i]) < 0) {
      reasons.push_back("character '" + std::string(1, suffix[i]) + "' at position " +
                        std::to_string(i + 1 + kPrefixLength) +
                        " is outside A-Z2-7, which real key IDs never leave");
      break;
    }
  }
  check.entropy_bits = shannonEntropy(suffix);
  if (check.entropy_bits < kMinKeyIdSuffixEntropy) {
    reasons.push_back("entropy after the prefix is " + formatBits(check.entropy_bits) +
                      " bits/char, below " + formatBits(kMinKeyIdSuffixEntropy));
  }
  checkExamples(key_id, kDocumentedKeyIds.data(), kDocumentedKeyIds.size(), &reasons);
  checkRuns(suffix, &reasons);
  check.passes = reasons.empty();
  return check;
}

ScannerCheck checkSecretLooksReal(std::string_view secret) {
  ScannerCheck check;
  auto& reasons = check.reasons;
  // Reasons never quote the secret itself: they may end up in logs.
  if (secret.size() != kSecretLength) {
    reasons.push_back("length is " + std::to_string(secret.size()) +
                      ", real secret access keys have 40");
  }
  bool upper = false, lower = false, digit = false, bad_char_reported = false;
  for (size_t i = 0; i < secret.size(); ++i) {
    char c = secret[i];
    upper = upper || (c >= 'A' && c <= 'Z');
    lower = lower || (c >= 'a' && c <= 'z');
    digit = digit || (c >= '0' && c <= '9');
    if (kBase64Alphabet.find(c) == std::string_view::npos && !bad_char_reported) {
      reasons.push_back("character at position " + std::to_string(i + 1) +
                        " is outside A-Za-z0-9+/");
      bad_char_reported = true;
    }
  }
  if (!(upper && lower && digit)) {
    reasons.push_back("does not mix upper case, lower case and digits");
  }
  check.entropy_bits = shannonEntropy(secret);
  if (check.entropy_bits < kMinSecretEntropy) {
    reasons.push_back("entropy is " + formatBits(check.entropy_bits) + " bits/char, below " +
                      formatBits(kMinSecretEntropy));
  }
  checkExamples(secret, kDocumentedSecrets.data(), kDocumentedSecrets.size(), &reasons);
  std::vector<std::string> runs;
  checkRuns(secret, &runs);
  // Say that there is a run without quoting the secret's characters.
  for (const auto& r : runs) {
    reasons.push_back(
        r.find("repeats") != std::string::npos
            ? "has one character repeated " + std::to_string(kRepeatRunLength) + "+ times in a row"
            : "has a sequential run of " + std::to_string(kSequenceRunLength) + "+ characters");
  }
  check.passes = reasons.empty();
  return check;
}

bool isIdShaped(std::string_view id) {
  if (id.size() < 20 || id.size() > 128) return false;
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  // The prefix is known when the same prefix with a clean suffix is a valid ID.
  return inspectKeyId(std::string(id.substr(0, 4)) + std::string(16, 'A')).valid_format;
}

}  // namespace ht::aws
