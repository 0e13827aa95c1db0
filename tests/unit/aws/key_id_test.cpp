#include "aws/key_id.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ht::aws {
namespace {

TEST(DecodeAccountIdTest, KnownVectors) {
  // From the public canary list (canary_accounts.json decode_check): a canarytokens.org key.
  EXPECT_EQ(decodeAccountId("AKIASP2TPHJSQH3FJRUX"), "171436882533");
  EXPECT_EQ(decodeAccountId("ASIAY34FZKBOKMUTVV7A"), "609629065308");
}

TEST(DecodeAccountIdTest, RealKeysFromInvictusDataset) {
  // A few literals from ../shared/testdata/cloudtrail/invictus_aws_dataset (account 218007301253
  // is in the file names); the test below reads every one of them.
  for (const char* key : {"ASIATFQR7NSC24TUFD7V", "ASIATFQR7NSCS5BLNV76", "ASIATFQR7NSCZZPBZI6C",
                          "AKIATFQR7NSCUXC3DDDP", "AIDATFQR7NSC5AU2ZV3I", "AROATFQR7NSC6Q6YRQ2Q"}) {
    EXPECT_EQ(decodeAccountId(key), "218007301253") << key;
  }
}

// Every ASIA key in the real CloudTrail delivery files: they must decode to the account the
// files were delivered for, and, being real, must pass the scanner filters.
TEST(DecodeAccountIdTest, EveryAsiaKeyInInvictusDataset) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(HT_SHARED_TESTDATA) / "cloudtrail" / "invictus_aws_dataset";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::set<std::string> keys;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    // The files are plain JSON; a gzip file would show its magic bytes here.
    ASSERT_FALSE(text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0x1f &&
                 static_cast<unsigned char>(text[1]) == 0x8b)
        << entry.path() << " is gzip; this test reads plain JSON only";
    // ASIA[A-Z2-7]{16}, scanned by hand: std::regex takes seconds over these 3.7 MB.
    for (size_t at = text.find("ASIA"); at != std::string::npos; at = text.find("ASIA", at + 1)) {
      if (at + 20 > text.size()) break;
      const std::string candidate = text.substr(at, 20);
      bool base32 = true;
      for (size_t i = 4; i < 20; ++i) {
        const char c = candidate[i];
        base32 = base32 && ((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'));
      }
      if (base32) keys.insert(candidate);
    }
  }
  ASSERT_GT(keys.size(), 100u);
  for (const auto& key : keys) {
    EXPECT_EQ(decodeAccountId(key), "218007301253") << key;
    ScannerCheck check = checkKeyIdLooksReal(key);
    EXPECT_TRUE(check.passes) << key << ": " << (check.reasons.empty() ? "" : check.reasons[0]);
  }
}

TEST(DecodeAccountIdTest, OldFormatAndMalformedHaveNoAccount) {
  EXPECT_EQ(decodeAccountId("AKIAIOSFODNN7EXAMPLE"), std::nullopt);
  EXPECT_EQ(decodeAccountId("AKIAJSIE27KKMHXI3BJQ"), std::nullopt);
  EXPECT_EQ(decodeAccountId("AKIASP2TPHJSQH3FJRU"), std::nullopt);   // 19 chars
  EXPECT_EQ(decodeAccountId("AKIASP2TPHJSQH3FJRU1"), std::nullopt);  // '1' is not base32
  EXPECT_EQ(decodeAccountId(""), std::nullopt);
}

TEST(InspectKeyIdTest, KindsAndAccount) {
  KeyIdInfo a = inspectKeyId("AKIASP2TPHJSQH3FJRUX");
  EXPECT_TRUE(a.valid_format);
  EXPECT_EQ(a.format_error, "");
  EXPECT_EQ(a.prefix, "AKIA");
  EXPECT_EQ(a.kind, "access key (long-term, IAM user)");
  EXPECT_TRUE(a.is_access_key);
  EXPECT_EQ(a.account_id, "171436882533");

  KeyIdInfo s = inspectKeyId("ASIATFQR7NSC24TUFD7V");
  EXPECT_EQ(s.kind, "temporary access key (STS)");
  EXPECT_TRUE(s.is_access_key);

  KeyIdInfo u = inspectKeyId("AIDATFQR7NSC5AU2ZV3I");
  EXPECT_TRUE(u.valid_format);
  EXPECT_EQ(u.kind, "IAM user");
  EXPECT_FALSE(u.is_access_key);
  EXPECT_EQ(u.account_id, "218007301253");

  for (const char* p : {"ABIA", "ACCA", "AGPA", "AIPA", "ANPA", "ANVA", "APKA", "AROA", "ASCA"}) {
    KeyIdInfo info = inspectKeyId(std::string(p) + "SP2TPHJSQH3FJRUX");
    EXPECT_TRUE(info.valid_format) << p;
    EXPECT_FALSE(info.kind.empty()) << p;
    EXPECT_FALSE(info.is_access_key) << p;
  }
}

TEST(InspectKeyIdTest, OldFormatExplainsMissingAccount) {
  KeyIdInfo info = inspectKeyId("AKIAIOSFODNN7EXAMPLE");
  EXPECT_TRUE(info.valid_format);
  EXPECT_FALSE(info.account_id.has_value());
  EXPECT_NE(info.account_note.find("old-format"), std::string::npos);
}

TEST(InspectKeyIdTest, ErrorsNameTheProblem) {
  KeyIdInfo shortKey = inspectKeyId("AKIA123");
  EXPECT_FALSE(shortKey.valid_format);
  EXPECT_NE(shortKey.format_error.find("length is 7"), std::string::npos) << shortKey.format_error;

  KeyIdInfo badChar = inspectKeyId("AKIASP2TPHJSQH3FJR0X");
  EXPECT_FALSE(badChar.valid_format);
  EXPECT_NE(badChar.format_error.find("'0' at position 19"), std::string::npos)
      << badChar.format_error;
  EXPECT_FALSE(badChar.account_id.has_value());

  KeyIdInfo badPrefix = inspectKeyId("AKIBSP2TPHJSQH3FJRUX");
  EXPECT_FALSE(badPrefix.valid_format);
  EXPECT_NE(badPrefix.format_error.find("unknown prefix 'AKIB'"), std::string::npos);
  EXPECT_EQ(badPrefix.prefix, "AKIB");
}

TEST(MakeAccessKeyIdTest, RoundTripsAndPassesScannerFilters) {
  SeededRandomSource random(42);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string account = randomAccountId(random);
    ASSERT_EQ(account.size(), 12u);
    ASSERT_NE(account[0], '0');
    const std::string key = makeAccessKeyId(account, random);
    ASSERT_EQ(key.size(), 20u);
    ASSERT_EQ(key.substr(0, 4), "AKIA");
    // New format: bit 47 set, so the first character after AKIA is Q-Z or 2-7.
    const char c = key[4];
    ASSERT_TRUE((c >= 'Q' && c <= 'Z') || (c >= '2' && c <= '7')) << key;
    EXPECT_EQ(decodeAccountId(key), account) << key;
    ScannerCheck check = checkKeyIdLooksReal(key);
    EXPECT_TRUE(check.passes) << key;
    EXPECT_GE(check.entropy_bits, kMinKeyIdSuffixEntropy);
    EXPECT_TRUE(inspectKeyId(key).valid_format);
    seen.insert(key);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(MakeAccessKeyIdTest, FixedAccountKeysDifferInRandomBits) {
  SodiumRandomSource random;
  const std::string a = makeAccessKeyId("218007301253", random);
  const std::string b = makeAccessKeyId("218007301253", random);
  EXPECT_NE(a, b);
  EXPECT_EQ(decodeAccountId(a), "218007301253");
  EXPECT_EQ(decodeAccountId(b), "218007301253");
  // Leading zeros survive the round trip.
  EXPECT_EQ(decodeAccountId(makeAccessKeyId("052310077262", random)), "052310077262");
}

TEST(MakeAccessKeyIdTest, SeededSourceIsReproducible) {
  SeededRandomSource a(7), b(7);
  EXPECT_EQ(makeAccessKeyId("218007301253", a), makeAccessKeyId("218007301253", b));
  EXPECT_EQ(makeSecretAccessKey(a).reveal(), makeSecretAccessKey(b).reveal());
}

TEST(CheckSyntheticAccountIdTest, RejectsBadAndDegenerateAccounts) {
  EXPECT_TRUE(checkSyntheticAccountId("218007301253").isOk());
  EXPECT_EQ(checkSyntheticAccountId("12345").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(checkSyntheticAccountId("21800730125x").code(), StatusCode::kInvalidArgument);
  // Account 0 encodes as QAAAAAAA...: every key would carry a run of A's.
  Status zero = checkSyntheticAccountId("000000000000");
  EXPECT_EQ(zero.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(zero.message().find("repeats"), std::string::npos) << zero.message();
}

TEST(MakeSecretAccessKeyTest, PassesScannerFilters) {
  SeededRandomSource random(1234);
  const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    SecretString secret = makeSecretAccessKey(random);
    ASSERT_EQ(secret.size(), 40u);
    for (char c : secret.reveal()) ASSERT_NE(kAlphabet.find(c), std::string::npos);
    ScannerCheck check = checkSecretLooksReal(secret.reveal());
    EXPECT_TRUE(check.passes);
    EXPECT_GE(check.entropy_bits, kMinSecretEntropy);
    seen.insert(std::string(secret.reveal()));
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(MakeSecretAccessKeyTest, SodiumSourceWorks) {
  SodiumRandomSource random;
  SecretString s = makeSecretAccessKey(random);
  EXPECT_TRUE(checkSecretLooksReal(s.reveal()).passes);
}

bool hasReason(const ScannerCheck& c, const std::string& needle) {
  for (const auto& r : c.reasons) {
    if (r.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(CheckKeyIdLooksRealTest, RejectsPlaceholders) {
  EXPECT_TRUE(checkKeyIdLooksReal("AKIASP2TPHJSQH3FJRUX").passes);

  ScannerCheck doc = checkKeyIdLooksReal("AKIAIOSFODNN7EXAMPLE");
  EXPECT_FALSE(doc.passes);
  EXPECT_TRUE(hasReason(doc, "AWS documentation"));
  EXPECT_TRUE(hasReason(doc, "EXAMPLE"));

  ScannerCheck low = checkKeyIdLooksReal("AKIAQQQAQQQAQQQAQQQA");
  EXPECT_FALSE(low.passes);
  EXPECT_LT(low.entropy_bits, 1.0);
  EXPECT_TRUE(hasReason(low, "entropy"));

  EXPECT_TRUE(hasReason(checkKeyIdLooksReal("AKIASP2TAAAAQH3FJRUX"), "repeats"));
  EXPECT_TRUE(hasReason(checkKeyIdLooksReal("AKIASP2ABCDEFH3FJRUX"), "sequential"));
  EXPECT_TRUE(hasReason(checkKeyIdLooksReal("AKIASP2TPHJSQH3FJRU"), "length"));
  EXPECT_TRUE(hasReason(checkKeyIdLooksReal("AKIASP2TPHJSQH3FJR0X"), "position 19"));
  EXPECT_TRUE(hasReason(checkKeyIdLooksReal("AIDATFQR7NSC5AU2ZV3I"), "prefix"));
}

TEST(CheckSecretLooksRealTest, RejectsPlaceholders) {
  // Built for this test with a seeded generator: realistic shape, never a real credential.
  SeededRandomSource random(99);
  const std::string good(makeSecretAccessKey(random).reveal());
  EXPECT_TRUE(checkSecretLooksReal(good).passes);

  ScannerCheck doc = checkSecretLooksReal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_FALSE(doc.passes);
  EXPECT_TRUE(hasReason(doc, "AWS documentation"));

  EXPECT_TRUE(hasReason(checkSecretLooksReal(std::string(40, 'a')), "entropy"));
  EXPECT_TRUE(hasReason(checkSecretLooksReal(std::string(40, 'a')), "mix"));
  // No digits.
  EXPECT_TRUE(hasReason(checkSecretLooksReal("abcdXYZWqrstUVefGHijKLmnOPuvwxABCyzDEFgh"), "mix"));
  EXPECT_TRUE(hasReason(checkSecretLooksReal(good.substr(0, 39)), "length"));
  std::string with_bad = good;
  with_bad[5] = '-';
  EXPECT_TRUE(hasReason(checkSecretLooksReal(with_bad), "position 6"));
  std::string with_run = good;
  with_run.replace(10, 5, "zzzzz");
  EXPECT_TRUE(hasReason(checkSecretLooksReal(with_run), "repeated"));
  std::string with_seq = good;
  with_seq.replace(20, 7, "ABCDEFG");
  EXPECT_TRUE(hasReason(checkSecretLooksReal(with_seq), "sequential"));
  // Reasons must not quote the secret.
  for (const auto& r : checkSecretLooksReal(with_run).reasons) {
    EXPECT_EQ(r.find("zzzz"), std::string::npos) << r;
  }
}

TEST(ShannonEntropyTest, Figures) {
  EXPECT_DOUBLE_EQ(shannonEntropy(""), 0.0);
  EXPECT_DOUBLE_EQ(shannonEntropy("AAAA"), 0.0);
  EXPECT_DOUBLE_EQ(shannonEntropy("ABAB"), 1.0);
  EXPECT_DOUBLE_EQ(shannonEntropy("ABCDEFGHIJKLMNOP"), 4.0);
}

TEST(RandomSourceTest, UniformStaysInRange) {
  SeededRandomSource random(5);
  std::set<uint32_t> values;
  for (int i = 0; i < 2000; ++i) {
    uint32_t v = random.uniform(10);
    ASSERT_LT(v, 10u);
    values.insert(v);
  }
  EXPECT_EQ(values.size(), 10u);
}

}  // namespace
}  // namespace ht::aws
