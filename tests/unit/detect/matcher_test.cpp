// matchEvent against real CloudTrail data with golden expectations computed by jq, fixtures for
// the cases the data lacks, and a million-token index.
// ctest-label: slow (builds a million-token index)
#include "detect/matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "unit/detect/testdata_paths.h"

namespace ht::detect {
namespace {

namespace fs = std::filesystem;

// Tokens from invictus_tokens.json, keyed by their short test name.
struct Registered {
  TokenIndex index;
  std::map<const tokens::Token*, std::string> names;
};

void loadTokens(Registered* reg) {
  const auto doc = nlohmann::json::parse(test::readText(testdataDir() + "/invictus_tokens.json"));
  for (const auto& t : doc) {
    tokens::Token tok;
    tok.key_id = t.at("key_id");
    tok.principal_id = t.at("principal_id");
    tok.user_arn = t.at("user_arn");
    tok.user_name = t.at("user_name");
    tok.account_id = t.at("account_id");
    tok.label = t.at("name");
    reg->index.add(tok);
  }
  // Names by pointer, found back through the index (it owns the tokens).
  for (const auto& t : doc) {
    reg->names[reg->index.byKeyId(t.at("key_id").get<std::string>())] = t.at("name");
  }
}

CloudTrailEvent fixture(const std::string& name) {
  auto ev = parseEvent(test::readText(testdataDir() + "/" + name));
  EXPECT_TRUE(ev) << name << ": " << ev.status().toString();
  return ev ? *ev : CloudTrailEvent{};
}

TEST(MatchEvent, InvictusGolden) {
  ASSERT_TRUE(fs::is_directory(invictusDir()))
      << "shared test data missing: " << invictusDir() << " (see shared/testdata/README.md)";
  Registered reg;
  loadTokens(&reg);
  ASSERT_EQ(reg.index.size(), 5u);

  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(invictusDir())) files.push_back(e.path());
  std::vector<std::string> got;
  size_t records = 0;
  for (const auto& f : files) {
    const auto doc = nlohmann::json::parse(test::readText(f.string()));
    for (const auto& r : doc.at("Records")) {
      ++records;
      auto ev = parseEvent(r.dump());
      ASSERT_TRUE(ev) << ev.status().toString();
      for (const Match& m : matchEvent(*ev, reg.index)) {
        got.push_back(ev->event_id + " " + triggerClassName(m.trigger_class) + " " +
                      reg.names.at(m.token));
      }
    }
  }
  EXPECT_EQ(records, 2900u);

  std::vector<std::string> want;
  std::ifstream in(testdataDir() + "/invictus_matches.golden");
  ASSERT_TRUE(in) << "missing invictus_matches.golden";
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') want.push_back(line);
  }
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  ASSERT_EQ(want.size(), 2782u);  // golden counts, see the file header

  std::vector<std::string> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  for (size_t i = 0; i < std::min<size_t>(missing.size(), 20); ++i) {
    ADD_FAILURE() << "expected but not matched: " << missing[i];
  }
  for (size_t i = 0; i < std::min<size_t>(extra.size(), 20); ++i) {
    ADD_FAILURE() << "matched but not expected: " << extra[i];
  }
  EXPECT_EQ(missing.size(), 0u);
  EXPECT_EQ(extra.size(), 0u);
}

// The honey user's own session keys (ASIA...) are a session use, never a key use.
TEST(MatchEvent, SessionCredentialsOfTheHoneyUser) {
  Registered reg;
  loadTokens(&reg);
  auto ev = parseEvent(R"({"eventID":"x","eventName":"ListBuckets",
    "userIdentity":{"type":"IAMUser","principalId":"AIDATFQR7NSC5AU2ZV3IE",
    "arn":"arn:aws:iam::123837392027:user/bert-jan","accountId":"123837392027",
    "accessKeyId":"ASIATFQR7NSCS5BLNV76","userName":"bert-jan",
    "sessionContext":{"attributes":{"mfaAuthenticated":"false"}}},
    "recipientAccountId":"123837392027"})");
  ASSERT_TRUE(ev);
  auto m = matchEvent(*ev, reg.index);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].trigger_class, TriggerClass::kSessionUsed);
  EXPECT_EQ(m[0].matched_on, "principalId");
  EXPECT_EQ(reg.names.at(m[0].token), "bert-jan");
}

// Only the user name and account identify the caller (some records carry no principal ID).
TEST(MatchEvent, SessionByUserNameInTheHoneyAccount) {
  Registered reg;
  loadTokens(&reg);
  auto ev = parseEvent(R"({"userIdentity":{"type":"IAMUser","accountId":"123837392027",
    "userName":"benjamin"}})");
  ASSERT_TRUE(ev);
  auto m = matchEvent(*ev, reg.index);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].trigger_class, TriggerClass::kSessionUsed);
  EXPECT_EQ(m[0].matched_on, "userName");
  // The same name in another account is someone else.
  auto other = parseEvent(R"({"userIdentity":{"type":"IAMUser","accountId":"999999999999",
    "userName":"benjamin"}})");
  ASSERT_TRUE(other);
  EXPECT_TRUE(matchEvent(*other, reg.index).empty());
}

TEST(MatchEvent, GetSessionTokenWithTheHoneyKeyIsAUse) {
  Registered reg;
  loadTokens(&reg);
  auto m = matchEvent(fixture("get_session_token.json"), reg.index);
  // The response names the new ASIA key, which is nobody's token: one match only.
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].trigger_class, TriggerClass::kUsed);
  EXPECT_EQ(m[0].matched_on, "accessKeyId");
  EXPECT_EQ(reg.names.at(m[0].token), "bert-jan");
}

TEST(MatchEvent, FederatedUserIssuedByTheHoneyUser) {
  Registered reg;
  loadTokens(&reg);
  auto m = matchEvent(fixture("federated_user.json"), reg.index);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].trigger_class, TriggerClass::kSessionUsed);
  EXPECT_EQ(m[0].matched_on, "sessionIssuer.principalId");
  EXPECT_EQ(reg.names.at(m[0].token), "benjamin");
}

TEST(MatchEvent, QuarantinePolicyIsExposure) {
  Registered reg;
  loadTokens(&reg);
  auto m = matchEvent(fixture("quarantine_attach.json"), reg.index);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].trigger_class, TriggerClass::kExposed);
  EXPECT_EQ(reg.names.at(m[0].token), "bert-jan");

  // Any other policy on the honey user is a mention, not an exposure (the invictus
  // AttachUserPolicy of AdministratorAccess to malicious-iam-user is in the golden file).
  auto ev = fixture("quarantine_attach.json");
  ev.request_policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  auto t = matchEvent(ev, reg.index);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].trigger_class, TriggerClass::kTouched);
}

TEST(MatchEvent, UrlEncodedPolicyMentionIsTouched) {
  Registered reg;
  loadTokens(&reg);
  auto m = matchEvent(fixture("policy_mention.json"), reg.index);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].trigger_class, TriggerClass::kTouched);
  EXPECT_EQ(m[0].matched_on, "requestParameters");
  EXPECT_EQ(reg.names.at(m[0].token), "benjamin");
}

// A key ID inside a longer word is not a mention.
TEST(MatchEvent, MentionsNeedWordBoundaries) {
  Registered reg;
  loadTokens(&reg);
  CloudTrailEvent ev;
  ev.request_parameters = R"({"note":"XAKIATFQR7NSCUXC3DDDP","n2":"AKIATFQR7NSCUXC3DDDPX"})";
  EXPECT_TRUE(matchEvent(ev, reg.index).empty());
  ev.request_parameters = R"({"note":"key=AKIATFQR7NSCUXC3DDDP;"})";
  EXPECT_EQ(matchEvent(ev, reg.index).size(), 1u);
  ev.request_parameters = R"({"p":"arn:aws:iam::123837392027:user/benjamin-2"})";
  EXPECT_TRUE(matchEvent(ev, reg.index).empty());
}

TEST(TokenIndex, NeedlesAndLookups) {
  Registered reg;
  loadTokens(&reg);
  auto needles = reg.index.needles();
  EXPECT_EQ(needles.size(), 15u);  // 5 tokens x (key, principal, name)
  EXPECT_TRUE(std::binary_search(needles.begin(), needles.end(), "AKIATFQR7NSC8Q4X20BJ"));
  EXPECT_EQ(reg.index.byUserName("bert-jan"), reg.index.byKeyId("AKIATFQR7NSC8Q4X20BJ"));
  EXPECT_EQ(reg.index.byAccountUser("123837392027", "bert-jan"),
            reg.index.byKeyId("AKIATFQR7NSC8Q4X20BJ"));
  EXPECT_EQ(reg.index.byAccountUser("1", "bert-jan"), nullptr);
  EXPECT_EQ(reg.index.byKeyId(""), nullptr);
  EXPECT_EQ(reg.index.byPrincipalId("AIDATFQR7NSC5U6Q3TMDR"),
            reg.index.byUserArn("arn:aws:iam::123837392027:user/benjamin"));
}

// Deterministic AWS-shaped identifiers: 16 base32 characters from a counter, behind a prefix.
std::string syntheticId(const char* prefix, uint64_t n, int width = 16) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out(prefix);
  std::string body(width, 'A');
  // Spread consecutive numbers over all positions (multiplicative hash), then base32.
  uint64_t x = n * 0x9E3779B97F4A7C15ull;
  for (int i = width - 1; i >= 0; --i) {
    body[i] = kAlphabet[x & 31];
    x >>= 5;
    if (x == 0) x = n + 1;  // width * 5 > 64 bits: refill from the counter
  }
  return out + body;
}

TEST(TokenIndex, AMillionTokens) {
  constexpr uint64_t kTokens = 1'000'000;
  TokenIndex index;
  const auto t0 = std::chrono::steady_clock::now();
  index.reserve(kTokens);
  for (uint64_t i = 0; i < kTokens; ++i) {
    tokens::Token t;
    t.key_id = syntheticId("AKIA", i);
    t.principal_id = syntheticId("AIDA", i, 17);
    t.user_name = "honey-" + std::to_string(i);
    t.account_id = "123456789012";
    t.user_arn = "arn:aws:iam::123456789012:user/" + t.user_name;
    index.add(std::move(t));
  }
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_EQ(index.size(), kTokens);
  // The generator must not collide, or lookups below would find the wrong token.
  ASSERT_EQ(index.byKeyId(syntheticId("AKIA", 777'777))->user_name, "honey-777777");

  // Built through parseEvent so that the fields it copies out of requestParameters are set.
  auto event = [](const std::string& key, const std::string& principal, const std::string& req) {
    CloudTrailEvent ev;
    if (!req.empty()) ev = *parseEvent(R"({"requestParameters":)" + req + "}");
    ev.event_name = "ListUsers";
    ev.recipient_account_id = "123456789012";
    ev.identity.type = "IAMUser";
    ev.identity.access_key_id = key;
    ev.identity.principal_id = principal;
    ev.request_parameters = req;
    return ev;
  };
  std::vector<CloudTrailEvent> events = {
      event(syntheticId("AKIA", 12), syntheticId("AIDA", 12, 17), ""),
      event("ASIAXXXXXXXXXXXXXXXX", syntheticId("AIDA", 999'999, 17), ""),
      event("AKIANOTAHONEYKEY0000", "AIDANOTAHONEYUSER0000",
            R"({"userName":"honey-500000","accessKeyId":")" + syntheticId("AKIA", 42) + "\"}"),
      event("AKIANOTAHONEYKEY0000", "AIDANOTAHONEYUSER0000", R"({"userName":"someone"})"),
  };
  constexpr int kRounds = 10'000;
  size_t total = 0;
  const auto t2 = std::chrono::steady_clock::now();
  for (int r = 0; r < kRounds; ++r) {
    for (const auto& ev : events) total += matchEvent(ev, index).size();
  }
  const auto t3 = std::chrono::steady_clock::now();
  EXPECT_EQ(total, size_t{kRounds} * (1 + 1 + 2 + 0));

  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  const double per_event_us = ms(t2, t3) * 1000.0 / (kRounds * events.size());
  std::printf(
      "[ bench    ] 1,000,000 tokens indexed in %.0f ms; %zu events matched in %.1f ms "
      "(%.2f us/event)\n",
      ms(t0, t1), kRounds * events.size(), ms(t2, t3), per_event_us);
  // A generous bound: the point is independence from the token count, not speed.
  EXPECT_LT(per_event_us, 1000.0);
}

}  // namespace
}  // namespace ht::detect
