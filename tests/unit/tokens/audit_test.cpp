#include "tokens/audit.h"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>

#include "aws/key_id.h"

namespace ht::tokens {
namespace {

using std::chrono::hours;

constexpr const char* kHoneyAccount = "583920174625";  // made up for these tests

TimePoint testNow() { return fromUnixSeconds(1780000000); }  // 2026-05-28
TimePoint daysAgo(int d) {
  return testNow() - std::chrono::duration_cast<std::chrono::seconds>(hours(24 * d));
}

// A token with nothing wrong: minted by AWS in a dedicated account, plausible name, placed,
// secret forgotten, key a month old.
AuditInput cleanInput(const std::string& id, RandomSource& random,
                      const std::string& account = kHoneyAccount) {
  AuditInput in;
  Token& t = in.token;
  t.id = id;
  t.key_id = aws::makeAccessKeyId(account, random);
  t.backend = "aws";
  t.can_trigger = true;
  t.account_id = account;
  t.user_name = "svc-billing-export";
  t.user_path = "/service/";
  t.user_arn = "arn:aws:iam::" + account + ":user/service/svc-billing-export";
  t.principal_id = "AIDA" + t.key_id.substr(4);
  t.status = TokenStatus::kActive;
  t.secret_state = SecretState::kForgotten;
  t.created_at = daysAgo(30);
  t.key_created_at = daysAgo(30);
  Placement p;
  p.id = 1;
  p.token_id = id;
  p.host = "web-01";
  p.location = "/home/deploy/.aws/credentials";
  p.kind = "file";
  in.placements.push_back(p);
  return in;
}

std::vector<Finding> auditOne(const AuditInput& in, const config::AuditOptions& options = {}) {
  return auditTokens({in}, options, CanaryAccounts::builtIn(), testNow());
}

std::vector<std::string> codes(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.code);
  return out;
}

// A copy, so that callers may pass a temporary vector.
std::optional<Finding> findCode(const std::vector<Finding>& findings, const std::string& code) {
  for (const auto& f : findings) {
    if (f.code == code) return f;
  }
  return std::nullopt;
}

class AuditTest : public ::testing::Test {
 protected:
  SeededRandomSource random_{77};
};

TEST_F(AuditTest, CleanTokenOnlyExposes) {
  AuditInput in = cleanInput("ht-clean00001", random_);
  auto findings = auditOne(in);
  ASSERT_EQ(codes(findings), std::vector<std::string>{kFindingExposes});
  const Finding& f = findings[0];
  EXPECT_EQ(f.severity, Severity::kInfo);
  EXPECT_EQ(f.token_id, "ht-clean00001");
  EXPECT_EQ(f.key_id, in.token.key_id);
  EXPECT_NE(f.message.find(kHoneyAccount), std::string::npos) << f.message;
  EXPECT_NE(f.message.find(in.token.user_arn), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("get-caller-identity"), std::string::npos);
  EXPECT_FALSE(f.fix.empty());
}

TEST_F(AuditTest, ExposesOldFormatKeyHasNoAccount) {
  AuditInput in = cleanInput("ht-old0000001", random_);
  in.token.key_id = "AKIAJQ3SEMQ2XZ7KLH4A";  // old format: J after AKIA
  auto f = findCode(auditOne(in), kFindingExposes);
  ASSERT_TRUE(f.has_value());
  EXPECT_NE(f->message.find("no account ID"), std::string::npos) << f->message;
}

TEST_F(AuditTest, CanaryAccountIsCritical) {
  AuditInput in = cleanInput("ht-canary0001", random_);
  in.token.key_id = "AKIASP2TPHJSQH3FJRUX";  // decodes to a canarytokens.org account
  in.token.user_arn = "arn:aws:iam::171436882533:user/service/svc-billing-export";
  auto findings = auditOne(in);
  auto f = findCode(findings, kFindingCanaryAccount);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->severity, Severity::kCritical);
  EXPECT_NE(f->message.find("171436882533"), std::string::npos);
  EXPECT_NE(f->message.find("Thinkst canarytokens.org"), std::string::npos);
  EXPECT_EQ(findings.front().code, kFindingCanaryAccount);  // most severe first

  // A knock-off canary account, via a generated key.
  AuditInput knockoff = cleanInput("ht-canary0002", random_, "044858866125");
  EXPECT_TRUE(findCode(auditOne(knockoff), kFindingCanaryAccount).has_value());
}

TEST_F(AuditTest, RealAccountIsHigh) {
  AuditInput in = cleanInput("ht-real000001", random_);
  config::AuditOptions options;
  options.real_account_ids = {"111122223333", kHoneyAccount};
  auto f = findCode(auditOne(in, options), kFindingRealAccount);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->severity, Severity::kHigh);
  options.real_account_ids = {"111122223333"};
  EXPECT_FALSE(findCode(auditOne(in, options), kFindingRealAccount).has_value());
}

TEST_F(AuditTest, ArnAccountMismatchIsMedium) {
  AuditInput in = cleanInput("ht-arn0000001", random_);
  in.token.user_arn = "arn:aws:iam::999988887777:user/service/svc-billing-export";
  auto f = findCode(auditOne(in), kFindingArnAccountMismatch);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->severity, Severity::kMedium);
  EXPECT_NE(f->message.find("999988887777"), std::string::npos);
  EXPECT_NE(f->message.find(kHoneyAccount), std::string::npos);
}

TEST_F(AuditTest, NameChecks) {
  AuditInput tell = cleanInput("ht-name000001", random_);
  tell.token.user_name = "HoneyUser-prod";
  auto ft = findCode(auditOne(tell), kFindingNameTell);
  ASSERT_TRUE(ft.has_value());
  EXPECT_EQ(ft->severity, Severity::kHigh);
  EXPECT_NE(ft->message.find("'honey'"), std::string::npos) << ft->message;

  AuditInput tell_path = cleanInput("ht-name000002", random_);
  tell_path.token.user_path = "/canaries/";
  EXPECT_TRUE(findCode(auditOne(tell_path), kFindingNameTell).has_value());

  AuditInput uuid = cleanInput("ht-name000003", random_);
  uuid.token.user_name = "3f2a9c1b-7d4e-4a5b-9c8d-0e1f2a3b4c5d";
  auto fr = findCode(auditOne(uuid), kFindingNameRandom);
  ASSERT_TRUE(fr.has_value());
  EXPECT_EQ(fr->severity, Severity::kMedium);

  AuditInput generic = cleanInput("ht-name000004", random_);
  generic.token.user_name = "user1";
  auto fg = findCode(auditOne(generic), kFindingNameGeneric);
  ASSERT_TRUE(fg.has_value());
  EXPECT_EQ(fg->severity, Severity::kLow);
  EXPECT_FALSE(findCode(auditOne(generic), kFindingNameTell).has_value());
}

TEST_F(AuditTest, SharedAccountFlagsEveryTokenInTheGroup) {
  config::AuditOptions options;
  options.shared_account_threshold = 3;
  std::vector<AuditInput> inputs = {
      cleanInput("ht-shared0001", random_), cleanInput("ht-shared0002", random_),
      cleanInput("ht-shared0003", random_), cleanInput("ht-other00001", random_, "672910384756")};
  auto findings = auditTokens(inputs, options, CanaryAccounts::builtIn(), testNow());
  int shared = 0;
  for (const auto& f : findings) {
    if (f.code != kFindingSharedAccount) continue;
    ++shared;
    EXPECT_EQ(f.severity, Severity::kMedium);
    EXPECT_NE(f.token_id, "ht-other00001");
    EXPECT_NE(f.message.find("3 active tokens"), std::string::npos) << f.message;
  }
  EXPECT_EQ(shared, 3);

  // Below the threshold, or with one of them revoked: nothing.
  inputs[2].token.status = TokenStatus::kRevoked;
  findings = auditTokens(inputs, options, CanaryAccounts::builtIn(), testNow());
  EXPECT_FALSE(findCode(findings, kFindingSharedAccount).has_value());
}

TEST_F(AuditTest, OldKeyIsLow) {
  AuditInput in = cleanInput("ht-age0000001", random_);
  in.token.key_created_at = daysAgo(200);
  auto f = findCode(auditOne(in), kFindingKeyAge);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->severity, Severity::kLow);
  EXPECT_NE(f->message.find("200 days"), std::string::npos) << f->message;

  in.token.key_created_at = daysAgo(180);  // exactly the limit is fine
  EXPECT_FALSE(findCode(auditOne(in), kFindingKeyAge).has_value());

  config::AuditOptions strict;
  strict.max_key_age_days = 20;
  in.token.key_created_at = daysAgo(30);
  EXPECT_TRUE(findCode(auditOne(in, strict), kFindingKeyAge).has_value());
}

TEST_F(AuditTest, StoredSecretOfPlacedTokenIsMedium) {
  AuditInput in = cleanInput("ht-secret0001", random_);
  in.token.secret_state = SecretState::kStored;
  auto f = findCode(auditOne(in), kFindingSecretStored);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->severity, Severity::kMedium);
  EXPECT_EQ(f->fix, "honeytrail token forget-secret ht-secret0001");

  // Not placed yet: keeping the secret is expected (it still has to be rendered).
  in.placements.clear();
  auto findings = auditOne(in);
  EXPECT_FALSE(findCode(findings, kFindingSecretStored).has_value());
  auto np = findCode(findings, kFindingNotPlaced);
  ASSERT_TRUE(np.has_value());
  EXPECT_EQ(np->severity, Severity::kLow);
}

TEST_F(AuditTest, SyntheticBackendIsInfo) {
  AuditInput in = cleanInput("ht-synth00001", random_);
  in.token.backend = "synthetic";
  in.token.can_trigger = false;
  auto findings = auditOne(in);
  auto f = findCode(findings, kFindingSynthetic);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->severity, Severity::kInfo);
  auto e = findCode(findings, kFindingExposes);
  ASSERT_TRUE(e.has_value());
  EXPECT_NE(e->message.find("InvalidClientTokenId"), std::string::npos);
}

TEST_F(AuditTest, FakeLookingKeyIsMedium) {
  AuditInput in = cleanInput("ht-fake000001", random_);
  in.token.key_id = "AKIAIOSFODNN7EXAMPLE";
  auto f = findCode(auditOne(in), kFindingKeyLooksFake);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->severity, Severity::kMedium);
  EXPECT_NE(f->message.find("EXAMPLE"), std::string::npos);
}

TEST_F(AuditTest, RevokedTokenOnlyExposes) {
  AuditInput in = cleanInput("ht-revoked001", random_);
  in.token.key_id = "AKIASP2TPHJSQH3FJRUX";
  in.token.user_name = "canary-user1";
  in.token.key_created_at = daysAgo(900);
  in.token.secret_state = SecretState::kStored;
  in.token.backend = "synthetic";
  in.token.status = TokenStatus::kRevoked;
  EXPECT_EQ(codes(auditOne(in)), std::vector<std::string>{kFindingExposes});
  in.token.status = TokenStatus::kActive;
  EXPECT_GT(auditOne(in).size(), 5u);
}

TEST_F(AuditTest, SortedBySeverityThenToken) {
  std::vector<AuditInput> inputs;
  inputs.push_back(cleanInput("ht-b", random_));
  inputs.back().token.user_name = "user1";  // low
  inputs.push_back(cleanInput("ht-a", random_));
  inputs.back().token.key_id = "AKIASP2TPHJSQH3FJRUX";  // critical
  inputs.push_back(cleanInput("ht-c", random_));
  inputs.back().token.user_name = "decoy";  // high
  auto findings = auditTokens(inputs, {}, CanaryAccounts::builtIn(), testNow());
  ASSERT_GE(findings.size(), 6u);
  for (size_t i = 1; i < findings.size(); ++i) {
    const auto& a = findings[i - 1];
    const auto& b = findings[i];
    EXPECT_TRUE(a.severity > b.severity || (a.severity == b.severity && a.token_id <= b.token_id))
        << i;
  }
  EXPECT_EQ(findings.front().token_id, "ht-a");
  EXPECT_EQ(findings.back().severity, Severity::kInfo);
}

TEST(SeverityTest, CountsBySeverityOnlyWhatIsThere) {
  EXPECT_TRUE(countBySeverity({}).empty());
  std::vector<Finding> findings(4);
  findings[0].severity = Severity::kHigh;
  findings[1].severity = Severity::kLow;
  findings[2].severity = Severity::kHigh;
  findings[3].severity = Severity::kCritical;
  EXPECT_EQ(countBySeverity(findings),
            (std::map<Severity, int>{
                {Severity::kLow, 1}, {Severity::kHigh, 2}, {Severity::kCritical, 1}}));
}

TEST(CanaryAccountsTest, BuiltInMatchesSharedListFile) {
  CanaryAccounts built_in = CanaryAccounts::builtIn();
  EXPECT_EQ(built_in.accounts.size(), 26u);
  ASSERT_NE(built_in.find("171436882533"), nullptr);
  EXPECT_EQ(*built_in.find("171436882533"), "Thinkst canarytokens.org");
  EXPECT_EQ(built_in.find("218007301253"), nullptr);

  CanaryAccounts loaded;
  const std::string path = std::string(HT_SHARED_TESTDATA) + "/canary/canary_accounts.json";
  ASSERT_TRUE(loaded.loadFile(path).isOk());
  EXPECT_EQ(loaded.accounts.size(), 26u);
  EXPECT_EQ(*loaded.find("052310077262"), "thinkst_canarytokens_org_accounts");
  EXPECT_EQ(*loaded.find("982842642351"), "knockoff_canary_accounts");
  for (const auto& [account, list] : loaded.accounts) {
    EXPECT_NE(built_in.find(account), nullptr) << account << " from " << list;
  }
  // The decode check in the same file agrees with our decoder.
  EXPECT_EQ(aws::decodeAccountId("AKIASP2TPHJSQH3FJRUX"), "171436882533");
}

class CanaryFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& content) {
    std::string path = ::testing::TempDir() + "/ht_audit_test_" + name;
    std::ofstream(path) << content;
    return path;
  }
};

TEST_F(CanaryFileTest, NestedArraysCountAndKeepFirstName) {
  CanaryAccounts c = CanaryAccounts::builtIn();
  std::string path = write("nested.json", R"({"vendors": {"acme_canaries": ["123456789012",
      "171436882533"], "note": "x", "mixed": ["123", "210987654321"]}, "more": [["333344445555"]]})");
  ASSERT_TRUE(c.loadFile(path).isOk());
  EXPECT_EQ(*c.find("123456789012"), "acme_canaries");
  EXPECT_EQ(*c.find("333344445555"), "more");
  EXPECT_EQ(*c.find("171436882533"), "Thinkst canarytokens.org");  // built-in name kept
  EXPECT_EQ(c.find("210987654321"), nullptr);  // in an array that is not all account IDs
}

TEST_F(CanaryFileTest, ErrorsNameTheFile) {
  CanaryAccounts c;
  std::string bad = write("bad.json", "{\"a\": [\"123456789012\",");
  Status s = c.loadFile(bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not valid JSON"), std::string::npos);

  std::string empty = write("empty.json", R"({"a": ["12345"], "b": 7})");
  s = c.loadFile(empty);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(empty), std::string::npos);
  EXPECT_NE(s.message().find("12-digit"), std::string::npos);

  s = c.loadFile("/nonexistent/ht_canaries.json");
  EXPECT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("/nonexistent/ht_canaries.json"), std::string::npos);
  EXPECT_TRUE(c.accounts.empty());
}

}  // namespace
}  // namespace ht::tokens
