// The generic webhook's JSON and its signature, checked by an independent tool (openssl dgst),
// not by re-running our own code. Its delivery is tested with the dispatcher
// (alert/dispatcher_test.cpp).
#include "alert/outputs/webhook.h"

#include <gtest/gtest.h>

#include <string>

#include "core/strings.h"
#include "support/test_support.h"
#include "unit/alert/outputs/fixtures.h"

namespace ht::alert {
namespace {

using fixtures::hostileAgent;
using fixtures::kLink;
using fixtures::makeStory;
using nlohmann::json;

TEST(PayloadWebhook, JsonHasEverySectionAndSignatureMatchesOpenssl) {
  const json w = webhookPayload(makeStory());
  for (const char* key :
       {"incident_id", "kind", "title", "headline", "severity", "state", "trigger_class", "token",
        "placements", "custody", "calls", "callers", "intents", "first_seen", "last_seen",
        "trigger_count", "runbook", "link", "test"}) {
    EXPECT_TRUE(w.contains(key)) << key;
  }
  EXPECT_EQ(w["incident_id"], "inc-20261128-0001");
  EXPECT_EQ(w["token"]["key_id"], "AKIA2E0A8F3B244C9986");
  EXPECT_EQ(w["token"]["user_arn"], "arn:aws:iam::111122223333:user/honeytrail/deploy-ci-prod");
  EXPECT_EQ(w["token"]["tags"]["team"], "ops");
  EXPECT_EQ(w["placements"][0]["location"], "/home/deploy/.aws/credentials");
  EXPECT_EQ(w["placements"][1]["owner"], "platform");
  EXPECT_EQ(w["custody"].size(), 3u);
  EXPECT_EQ(w["custody"][2]["holder"], "alice");
  EXPECT_EQ(w["calls"][1]["action"], "s3:ListBuckets");
  EXPECT_EQ(w["calls"][1]["error_code"], "AccessDenied");
  EXPECT_EQ(w["calls"][0]["error_code"], nullptr);
  EXPECT_EQ(w["calls"][1]["count"], 5);
  EXPECT_EQ(w["callers"][1]["user_agent"], hostileAgent());  // whole, for machines
  EXPECT_EQ(w["callers"][1]["tor"], true);
  EXPECT_EQ(w["callers"][0]["asn"], 64500);
  EXPECT_EQ(w["first_seen"], "2026-11-28T14:14:52Z");
  EXPECT_EQ(w["trigger_count"], 10);
  EXPECT_EQ(w["link"], kLink);
  EXPECT_EQ(w["test"], false);

  const std::string body = w.dump();
  const std::string secret = "whsec_Th1s-is-a-secret";
  const std::string sig = webhookSignature(secret, body);
  test::TempDir dir;
  test::writeText(dir / "body.json", body);
  const test::RunResult r =
      test::run({"openssl", "dgst", "-sha256", "-hmac", secret, dir / "body.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t eq = r.out.rfind("= ");
  ASSERT_NE(eq, std::string::npos) << r.out;
  EXPECT_EQ(sig, "sha256=" + trim(r.out.substr(eq + 2)));
  EXPECT_EQ(sig.size(), 7u + 64u);
  EXPECT_NE(webhookSignature("other", body), sig);
}

TEST(PayloadWebhook, InvalidUtf8FromTheAttackerStillSerialises) {
  Story s = makeStory();
  s.callers[1].user_agent = "curl/8\xff\xfe\xc3";
  const json w = webhookPayload(s);
  std::string dumped;
  ASSERT_NO_THROW(dumped = w.dump());
  EXPECT_TRUE(isValidUtf8(dumped));
  EXPECT_EQ(w["callers"][1]["user_agent"], "curl/8\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace ht::alert
