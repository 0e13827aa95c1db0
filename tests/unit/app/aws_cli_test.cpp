// The aws back-end, verify, the safety net and the S3 reader against moto_server (an
// independent AWS emulator, started here on 127.0.0.1) and, for what moto cannot show (a failure
// half-way through minting, recorded last-used dates), against a scripted HTTP server.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/session.h"
#include "support/http_server.h"
#include "support/moto_server.h"
#include "support/test_support.h"
#include "tokens/minter.h"
#include "tokens/name_generator.h"

namespace ht::app {
namespace {

using nlohmann::json;
using test::RunResult;

// Credentials the emulator accepts; never real ones.
const std::map<std::string, std::string> kFakeAwsEnv = [] {
  auto env = test::fakeAwsEnv();
  env["HONEYTRAIL_ACTOR"] = "tester@ci";
  return env;
}();

class AwsCliTest : public test::MotoTest {
 protected:
  void SetUp() override {
    test::MotoTest::SetUp();
    if (HasFatalFailure()) return;
    config_ = dir_.file("honeytrail.yaml");
    test::writeText(config_,
                    "aws:\n  endpoint_url: " + moto_->endpoint() + "\n  max_attempts: 2\n");
  }
  std::map<std::string, std::string> env() const {
    auto e = kFakeAwsEnv;
    e["HOME"] = dir_.path();
    return e;
  }
  RunResult ht(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::vector<std::string> argv = {HT_BINARY, "--data-dir", dir_.file("data"), "--config",
                                     config_};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, env(), stdin_text);
  }
  // The reference client, pointed at the emulator.
  RunResult awsCli(std::vector<std::string> args, std::map<std::string, std::string> extra = {}) {
    std::vector<std::string> argv = {test::awsCli(), "--endpoint-url", moto_->endpoint(),
                                     "--output", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto e = env();
    for (auto& [k, v] : extra) e[k] = v;
    return test::run(argv, e);
  }
  json createAwsToken() {
    RunResult r =
        ht({"token", "create", "--backend", "aws", "--output", "json", "--label", "web-01"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  test::TempDir dir_;
  std::string config_;
};

std::vector<json> jsonLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

TEST_F(AwsCliTest, CreateMintsADenyAllUserAndRecordsItsIdentity) {
  json t = createAwsToken();
  ASSERT_TRUE(t.contains("key_id"));
  EXPECT_EQ(t["backend"], "aws");
  EXPECT_EQ(t["can_trigger"], true);
  std::string user = t["user_name"];
  // The user's unique ID as IAM reports it (AIDA... in AWS; moto makes up its own shape).
  RunResult got = awsCli({"iam", "get-user", "--user-name", user});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_FALSE(t["principal_id"].get<std::string>().empty());
  EXPECT_EQ(t["principal_id"], json::parse(got.out)["User"]["UserId"]);
  EXPECT_NE(
      t["user_arn"].get<std::string>().find(":user" + t["user_path"].get<std::string>() + user),
      std::string::npos);
  EXPECT_EQ(t["account_id"], "123456789012") << "moto's default account, from the ARN";

  // What the reference client sees in the account.
  RunResult keys = awsCli({"iam", "list-access-keys", "--user-name", user});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  json kj = json::parse(keys.out);
  ASSERT_EQ(kj["AccessKeyMetadata"].size(), 1u);
  EXPECT_EQ(kj["AccessKeyMetadata"][0]["AccessKeyId"], t["key_id"]);
  RunResult policy =
      awsCli({"iam", "get-user-policy", "--user-name", user, "--policy-name", "default"});
  ASSERT_EQ(policy.exit_code, 0) << policy.err;
  json pj = json::parse(policy.out)["PolicyDocument"];
  EXPECT_TRUE(tokens::isDenyAllPolicy(pj.dump())) << pj.dump();

  // verify: all as made.
  RunResult v = ht({"token", "verify", "--output", "json"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  auto results = jsonLines(v.out);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["ok"], true);

  // Revoke removes the key, the policy and the user.
  RunResult revoke = ht({"token", "revoke", t["id"], "--reason", "test"});
  EXPECT_EQ(revoke.exit_code, 0) << revoke.err;
  RunResult gone = awsCli({"iam", "get-user", "--user-name", user});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("NoSuchEntity"), std::string::npos) << gone.err;
}

TEST_F(AwsCliTest, VerifyReportsDrift) {
  json t = createAwsToken();
  std::string user = t["user_name"], key = t["key_id"];
  ASSERT_EQ(awsCli({"iam", "update-access-key", "--user-name", user, "--access-key-id", key,
                    "--status", "Inactive"})
                .exit_code,
            0);
  ASSERT_EQ(awsCli({"iam", "delete-user-policy", "--user-name", user, "--policy-name", "default"})
                .exit_code,
            0);
  ASSERT_EQ(
      awsCli(
          {"iam", "put-user-policy", "--user-name", user, "--policy-name", "ops",
           "--policy-document",
           R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})"})
          .exit_code,
      0);
  RunResult v = ht({"token", "verify", "--output", "json"});
  EXPECT_EQ(v.exit_code, 1) << "drift is a failure for scripts";
  auto results = jsonLines(v.out);
  ASSERT_EQ(results.size(), 1u);
  std::set<std::string> drift;
  for (const auto& d : results[0]["drift"]) drift.insert(d.get<std::string>());
  EXPECT_TRUE(drift.count("key-inactive")) << v.out;
  EXPECT_TRUE(drift.count("policy-missing")) << v.out;
  EXPECT_TRUE(drift.count("extra-inline-policy")) << v.out;

  // The key deleted outright.
  ASSERT_EQ(
      awsCli({"iam", "delete-access-key", "--user-name", user, "--access-key-id", key}).exit_code,
      0);
  v = ht({"token", "verify", "--output", "json"});
  EXPECT_NE(v.out.find("key-deleted"), std::string::npos) << v.out;
}

TEST_F(AwsCliTest, SafetyNetSeesNoUseOfAFreshKey) {
  createAwsToken();
  RunResult r = ht({"aws", "poll-last-used", "--output", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << "a key never used reports nothing: " << r.out;
  EXPECT_NE(r.err.find("checked=1"), std::string::npos) << r.err;
}

TEST_F(AwsCliTest, WhoAmIAndSetupPrint) {
  RunResult who = ht({"aws", "whoami", "--output", "json"});
  ASSERT_EQ(who.exit_code, 0) << who.err;
  json w = json::parse(who.out);
  EXPECT_EQ(w["account"], "123456789012");
  EXPECT_EQ(w["credentials"], "environment");
  EXPECT_EQ(who.err.find(kFakeAwsEnv.at("AWS_SECRET_ACCESS_KEY")), std::string::npos);

  RunResult policy =
      ht({"aws", "setup", "--print", "--what", "policy", "--account-id", "123456789012"});
  ASSERT_EQ(policy.exit_code, 0) << policy.err;
  json p = json::parse(policy.out);
  std::set<std::string> actions;
  for (const auto& st : p["Statement"]) {
    if (st["Effect"] == "Allow") {
      for (const auto& a : st["Action"]) actions.insert(a.get<std::string>());
      EXPECT_EQ(st["Resource"], "arn:aws:iam::123456789012:user/*");
    }
  }
  for (const char* needed : {"iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey",
                             "iam:DeleteUser", "iam:GetAccessKeyLastUsed", "iam:ListAccessKeys"}) {
    EXPECT_TRUE(actions.count(needed)) << needed;
  }
  EXPECT_FALSE(actions.count("iam:AttachUserPolicy"));

  // The Terraform module parses (terraform fmt is offline; validate would need the provider).
  RunResult tf =
      ht({"aws", "setup", "--print", "--what", "terraform", "--regions", "us-east-1,eu-west-1"});
  ASSERT_EQ(tf.exit_code, 0) << tf.err;
  for (const char* must : {"is_multi_region_trail", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
                           "AWS::SNS::Topic", "AWS::S3::Object", "AWS::Lambda::Function",
                           "aws_cloudwatch_event_api_destination", "provider = aws.r_eu_west_1"}) {
    EXPECT_NE(tf.out.find(must), std::string::npos) << must;
  }
  test::writeText(dir_.file("main.tf"), tf.out);
  RunResult fmt =
      test::run({"/usr/local/bin/terraform", "fmt", "-check", "-diff", dir_.file("main.tf")},
                {{"CHECKPOINT_DISABLE", "1"}});
  EXPECT_EQ(fmt.exit_code, 0) << fmt.out << fmt.err;
}

TEST_F(AwsCliTest, MintedKeyIsDeniedEverythingWhenAuthIsEnforced) {
  // A second emulator that enforces signatures and IAM policies after the first 3 calls, which
  // are the mint itself (CreateUser, PutUserPolicy, CreateAccessKey).
  test::MotoServer strict(
      std::map<std::string, std::string>{{"INITIAL_NO_AUTH_ACTION_COUNT", "3"}});
  ASSERT_TRUE(strict.running()) << strict.error();
  test::writeText(config_, "aws:\n  endpoint_url: " + strict.endpoint() + "\n  max_attempts: 1\n");
  json t = createAwsToken();
  ASSERT_TRUE(t.contains("secret_access_key"));
  std::map<std::string, std::string> as_attacker = {
      {"AWS_ACCESS_KEY_ID", t["key_id"]}, {"AWS_SECRET_ACCESS_KEY", t["secret_access_key"]}};
  for (std::vector<std::string> call :
       std::vector<std::vector<std::string>>{{"iam", "list-users"},
                                             {"s3api", "list-buckets"},
                                             {"iam", "create-user", "--user-name", "x"}}) {
    std::vector<std::string> argv = {test::awsCli(), "--endpoint-url", strict.endpoint()};
    argv.insert(argv.end(), call.begin(), call.end());
    auto e = env();
    for (auto& [k, v] : as_attacker) e[k] = v;
    RunResult r = test::run(argv, e);
    EXPECT_NE(r.exit_code, 0) << call[1] << " was allowed";
    EXPECT_NE(r.err.find("AccessDenied"), std::string::npos) << call[1] << ": " << r.err;
  }
}

// --- against the Go-free, signature-free scripted server: what moto cannot show -------------

// Runs honeytrail with its own data dir in dir and IAM pointed at a scripted server.
std::function<RunResult(std::vector<std::string>)> honeytrailWithIam(const test::TempDir& dir,
                                                                     const std::string& iam_url) {
  std::string cfg = dir.file("h.yaml");
  test::writeText(cfg, "aws:\n  iam_endpoint_url: " + iam_url + "\n  max_attempts: 1\n");
  auto env = kFakeAwsEnv;
  env["HOME"] = dir.path();
  std::string data = dir.file("d");
  return [cfg, env, data](std::vector<std::string> args) {
    std::vector<std::string> argv = {HT_BINARY, "--data-dir", data, "--config", cfg};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, env);
  };
}

std::string iamOk(const std::string& action, const std::string& result) {
  return "<" + action + "Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><" + action +
         "Result>" + result + "</" + action +
         "Result><ResponseMetadata><RequestId>r-1</RequestId>"
         "</ResponseMetadata></" +
         action + "Response>";
}

std::string formParam(const std::string& body, const std::string& name) {
  for (const auto& part : [&] {
         std::vector<std::string> parts;
         std::stringstream ss(body);
         for (std::string p; std::getline(ss, p, '&');) parts.push_back(p);
         return parts;
       }()) {
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
  }
  return "";
}

TEST(AwsScriptedTest, FailureHalfWayThroughMintingIsRolledBack) {
  test::TempDir dir;
  test::ScriptedHttpServer iam([](const test::ScriptedHttpServer::Request& req) {
    std::string action = formParam(req.body, "Action");
    std::string user = formParam(req.body, "UserName");
    if (action == "CreateUser") {
      return test::ScriptedHttpServer::Response{
          200,
          {{"Content-Type", "text/xml"}},
          iamOk(action, "<User><Path>/</Path><UserName>" + user +
                            "</UserName><UserId>AIDAQ3EGVVSYWCHK2XJ5D</"
                            "UserId><Arn>arn:aws:iam::123456789012:user/" +
                            user + "</Arn><CreateDate>2026-11-28T10:00:00Z</CreateDate></User>")};
    }
    if (action == "PutUserPolicy" || action == "DeleteUserPolicy" || action == "DeleteUser") {
      return test::ScriptedHttpServer::Response{
          200, {{"Content-Type", "text/xml"}}, iamOk(action, "")};
    }
    // CreateAccessKey: the user already has the maximum number of keys.
    return test::ScriptedHttpServer::Response{
        409,
        {{"Content-Type", "text/xml"}},
        "<ErrorResponse "
        "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
        "<Code>LimitExceeded</Code><Message>Cannot exceed quota for AccessKeysPerUser: "
        "2</Message></Error>"
        "<RequestId>r-2</RequestId></ErrorResponse>"};
  });
  auto ht = honeytrailWithIam(dir, iam.url());
  RunResult r = ht({"token", "create", "--backend", "aws", "--user-name", "svc-backup"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("LimitExceeded"), std::string::npos) << r.err;
  std::vector<std::string> actions;
  for (const auto& req : iam.requests()) actions.push_back(formParam(req.body, "Action"));
  std::vector<std::string> expected = {"CreateUser", "PutUserPolicy", "CreateAccessKey",
                                       "DeleteUserPolicy", "DeleteUser"};
  EXPECT_EQ(actions, expected);
  RunResult list = ht({"token", "list", "--output", "json"});
  EXPECT_TRUE(list.out.empty()) << "nothing half-made in the registry: " << list.out;
}

TEST(AwsScriptedTest, VerifyReportsTheQuarantinePolicyAwsAttaches) {
  // moto does not ship AWS's AWSCompromisedKeyQuarantine policies; these are IAM's documented
  // response shapes for a user AWS found exposed in public.
  test::TempDir dir;
  test::ScriptedHttpServer iam([](const test::ScriptedHttpServer::Request& req) {
    std::string action = formParam(req.body, "Action");
    std::string result;
    if (action == "ListAccessKeys") {
      result =
          "<UserName>svc-backup</UserName><AccessKeyMetadata><member><UserName>svc-backup</"
          "UserName>"
          "<AccessKeyId>AKIASP2TPHJSQH3FJRUX</AccessKeyId><Status>Active</Status>"
          "<CreateDate>2026-11-01T00:00:00Z</CreateDate></member></"
          "AccessKeyMetadata><IsTruncated>false</IsTruncated>";
    } else if (action == "ListUserPolicies") {
      result =
          "<PolicyNames><member>default</member></PolicyNames><IsTruncated>false</IsTruncated>";
    } else if (action == "GetUserPolicy") {
      result =
          "<UserName>svc-backup</UserName><PolicyName>default</PolicyName><PolicyDocument>"
          "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Deny%22%"
          "2C"
          "%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D</PolicyDocument>";
    } else if (action == "ListAttachedUserPolicies") {
      result =
          "<AttachedPolicies><member><PolicyName>AWSCompromisedKeyQuarantineV3</PolicyName>"
          "<PolicyArn>arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3</PolicyArn></member>"
          "<member><PolicyName>AWSCompromisedKeyQuarantineV2</PolicyName>"
          "<PolicyArn>arn:aws:iam::123456789012:policy/AWSCompromisedKeyQuarantineV2</PolicyArn></"
          "member>"
          "</AttachedPolicies><IsTruncated>false</IsTruncated>";
    }
    return test::ScriptedHttpServer::Response{
        200, {{"Content-Type", "text/xml"}}, iamOk(action, result)};
  });
  auto ht = honeytrailWithIam(dir, iam.url());
  ASSERT_EQ(ht({"token", "import", "--key-id", "AKIASP2TPHJSQH3FJRUX", "--user-name", "svc-backup"})
                .exit_code,
            0);
  RunResult v = ht({"token", "verify", "--include-imported", "--output", "json"});
  EXPECT_EQ(v.exit_code, 1);
  auto results = jsonLines(v.out);
  ASSERT_EQ(results.size(), 1u) << v.out << v.err;
  std::vector<std::string> drift;
  for (const auto& d : results[0]["drift"]) drift.push_back(d);
  // The real quarantine policy is an exposure; a look-alike made in the account is just an
  // attached policy.
  EXPECT_EQ(drift, (std::vector<std::string>{"quarantined", "policy-attached"})) << v.out;
}

TEST(AwsScriptedTest, SafetyNetReportsEachNewUseOnce) {
  test::TempDir dir;
  std::string last_used = "";
  std::mutex mu;
  test::ScriptedHttpServer iam([&](const test::ScriptedHttpServer::Request&) {
    std::lock_guard lock(mu);
    std::string result =
        "<UserName>svc-backup</UserName><AccessKeyLastUsed>" +
        (last_used.empty()
             ? std::string("<ServiceName>N/A</ServiceName><Region>N/A</Region>")
             : "<LastUsedDate>" + last_used +
                   "</LastUsedDate><ServiceName>s3</ServiceName><Region>eu-west-1</Region>") +
        "</AccessKeyLastUsed>";
    return test::ScriptedHttpServer::Response{
        200, {{"Content-Type", "text/xml"}}, iamOk("GetAccessKeyLastUsed", result)};
  });
  auto ht = honeytrailWithIam(dir, iam.url());
  ASSERT_EQ(ht({"token", "import", "--key-id", "AKIASP2TPHJSQH3FJRUX", "--user-name", "svc-backup"})
                .exit_code,
            0);
  RunResult first = ht({"aws", "poll-last-used", "--output", "json"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(first.out.empty()) << "never used: nothing to report";
  {
    std::lock_guard lock(mu);
    last_used = "2026-11-27T08:15:00Z";
  }
  RunResult second = ht({"aws", "poll-last-used", "--output", "json"});
  auto uses = jsonLines(second.out);
  ASSERT_EQ(uses.size(), 1u) << second.out << second.err;
  EXPECT_EQ(uses[0]["service"], "s3");
  EXPECT_EQ(uses[0]["region"], "eu-west-1");
  EXPECT_EQ(uses[0]["last_used_at"], "2026-11-27T08:15:00Z");
  RunResult third = ht({"aws", "poll-last-used", "--output", "json"});
  EXPECT_TRUE(third.out.empty()) << "the same use is not reported twice: " << third.out;
  {
    std::lock_guard lock(mu);
    last_used = "2026-11-28T09:00:00Z";
  }
  RunResult fourth = ht({"aws", "poll-last-used", "--output", "json"});
  uses = jsonLines(fourth.out);
  ASSERT_EQ(uses.size(), 1u) << fourth.out;
  EXPECT_EQ(uses[0]["previous"], "2026-11-27T08:15:00Z");
}

// Regression: `aws poll-last-used` (the safety net docs/aws-setup.md recommends, with --watch)
// printed a use but never stored it, grouped it or alerted, and saved the state that hides it, so
// `serve` never saw it either. It now goes through the same pipeline as serve: the use is a
// stored trigger in an incident, and its alert is delivered.
TEST(AwsScriptedTest, SafetyNetFromTheCliStoresGroupsAndAlertsLikeServe) {
  test::TempDir dir;
  test::ScriptedHttpServer iam([&](const test::ScriptedHttpServer::Request&) {
    std::string result =
        "<UserName>svc-backup</UserName><AccessKeyLastUsed><LastUsedDate>2026-11-27T08:15:00Z"
        "</LastUsedDate><ServiceName>dynamodb</ServiceName><Region>eu-west-1</Region>"
        "</AccessKeyLastUsed>";
    return test::ScriptedHttpServer::Response{
        200, {{"Content-Type", "text/xml"}}, iamOk("GetAccessKeyLastUsed", result)};
  });
  std::string cfg = dir.file("h.yaml");
  std::string alerts = dir.file("alerts.jsonl");
  test::writeText(cfg, "aws:\n  iam_endpoint_url: " + iam.url() +
                           "\n  max_attempts: 1\n"
                           "alerts:\n  outputs:\n    log:\n      type: file\n      path: " +
                           alerts + "\n  routes:\n    all:\n      outputs: [log]\n");
  auto env = kFakeAwsEnv;
  env["HOME"] = dir.path();
  auto ht = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {HT_BINARY, "--data-dir", dir.file("d"), "--config", cfg};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, env);
  };
  ASSERT_EQ(ht({"token", "import", "--key-id", "AKIASP2TPHJSQH3FJRUX", "--user-name", "svc-backup"})
                .exit_code,
            0);
  RunResult poll = ht({"aws", "poll-last-used", "--output", "json"});
  ASSERT_EQ(poll.exit_code, 0) << poll.err;
  ASSERT_EQ(jsonLines(poll.out).size(), 1u) << poll.out;

  RunResult triggers = ht({"triggers", "list", "--output", "json"});
  ASSERT_EQ(triggers.exit_code, 0) << triggers.err;
  auto stored = jsonLines(triggers.out);
  ASSERT_EQ(stored.size(), 1u) << triggers.out;
  EXPECT_EQ(stored[0]["source"], "last-used");
  EXPECT_EQ(stored[0]["service"], "dynamodb");
  EXPECT_EQ(stored[0]["aws_region"], "eu-west-1");

  RunResult incidents = ht({"incident", "list", "--output", "json"});
  ASSERT_EQ(incidents.exit_code, 0) << incidents.err;
  auto opened = jsonLines(incidents.out);
  ASSERT_EQ(opened.size(), 1u) << incidents.out;
  EXPECT_EQ(opened[0]["trigger_count"], 1);

  // The alert went out before the command returned, as ingest's do.
  auto lines = jsonLines(test::readText(alerts));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["incident_id"], opened[0]["id"]);
  EXPECT_EQ(lines[0]["kind"], "new");

  // Polled again: the same use is neither reported, stored nor announced twice.
  RunResult again = ht({"aws", "poll-last-used", "--output", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(again.out.empty()) << again.out;
  EXPECT_EQ(jsonLines(ht({"triggers", "list", "--output", "json"}).out).size(), 1u);
  EXPECT_EQ(jsonLines(test::readText(alerts)).size(), 1u);
}

}  // namespace
}  // namespace ht::app
