// `honeytrail serve` as an operator runs it: the real binary in the background against
// moto_server, a CloudTrail file uploaded with the AWS CLI and an EventBridge event pushed over
// real HTTP become stored triggers; `honeytrail sources` shows each source's health; SIGTERM
// ends it within the configured bound; a restart neither misses nor repeats a file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "support/http_server.h"
#include "support/moto_server.h"
#include "support/test_support.h"

extern char** environ;

namespace ht::app {
namespace {

using nlohmann::json;
using test::RunResult;
using Clock = std::chrono::steady_clock;

constexpr const char* kHoneyKey = "AKIAQYLPMN5HHHFPZAM2";
constexpr const char* kEventBridgeKey = "test-only-eventbridge-key";

std::string utcNow(const char* format) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string record(const std::string& event_id, const std::string& key) {
  return json{
      {"eventVersion", "1.08"},
      {"eventID", event_id},
      {"eventTime", utcNow("%Y-%m-%dT%H:%M:%SZ")},
      {"eventSource", "sts.amazonaws.com"},
      {"eventName", "GetCallerIdentity"},
      {"awsRegion", "us-east-1"},
      {"sourceIPAddress", "203.0.113.77"},
      {"userAgent", "aws-cli/2.15.0 Python/3.11"},
      {"eventType", "AwsApiCall"},
      {"readOnly", true},
      {"recipientAccountId", "123456789012"},
      {"userIdentity", {{"type", "IAMUser"}, {"accessKeyId", key}, {"accountId", "123456789012"}}}}
      .dump();
}

// An EventBridge "AWS API Call via CloudTrail" event carrying one record of the honey key.
json eventBridgeEvent(const std::string& id, const std::string& event_id) {
  return {{"version", "0"},
          {"id", id},
          {"detail-type", "AWS API Call via CloudTrail"},
          {"source", "aws.sts"},
          {"account", "123456789012"},
          {"time", utcNow("%Y-%m-%dT%H:%M:%SZ")},
          {"region", "us-east-1"},
          {"resources", json::array()},
          {"detail", json::parse(record(event_id, kHoneyKey))}};
}

// A background `honeytrail serve`, its stderr in a file.
class ServeProcess {
 public:
  ServeProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::string& log_path)
      : log_path_(log_path) {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry = *e;
      std::string name = entry.substr(0, entry.find('='));
      if (env.count(name) == 0) env_strings.push_back(entry);
    }
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    av.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (posix_spawn(&pid_, av[0], &fa, nullptr, av.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }
  std::string log() const { return test::readText(log_path_); }
  // Waits until the log shows `pattern` (regex); returns the first capture group, or "".
  std::string waitForLog(const std::string& pattern, std::chrono::seconds limit) const {
    std::regex re(pattern);
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      std::smatch m;
      std::string text = log();
      if (std::regex_search(text, m, re)) return m.size() > 1 ? m[1].str() : m[0].str();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "";
  }
  // SIGTERM, then the exit code (128+signal if killed) and how long it took; -1 on timeout.
  std::pair<int, double> terminate(std::chrono::seconds limit) {
    auto t0 = Clock::now();
    ::kill(pid_, SIGTERM);
    while (Clock::now() - t0 < limit) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), secs};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {-1, 0};
  }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

class ServeCliTest : public test::MotoTest {
 protected:
  void SetUp() override {
    test::MotoTest::SetUp();
    if (HasFatalFailure()) return;
    config_ = dir_.file("honeytrail.yaml");
    test::writeText(config_, "aws:\n  endpoint_url: " + moto_->endpoint() +
                                 "\n  max_attempts: 2\n"
                                 "sources:\n"
                                 "  s3:\n    enabled: true\n    bucket: org-trail\n"
                                 "    poll_seconds: 1\n"
                                 "  push:\n    enabled: true\n    listen: \"127.0.0.1:0\"\n"
                                 "    eventbridge_api_key_env: HT_TEST_EB_KEY\n"
                                 "  blind_after_minutes: 30\n"
                                 "serve:\n  shutdown_timeout_seconds: 10\n");
    ASSERT_EQ(awsCli({"s3", "mb", "s3://org-trail"}).exit_code, 0);
    RunResult imported = ht({"token", "import", "--key-id", kHoneyKey, "--label", "serve-test"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }
  std::map<std::string, std::string> env() const {
    auto e = test::fakeAwsEnv();
    e["HOME"] = dir_.path();
    e["HT_TEST_EB_KEY"] = kEventBridgeKey;
    return e;
  }
  std::vector<std::string> htArgs(std::vector<std::string> args) {
    std::vector<std::string> argv = {HT_BINARY, "--data-dir", dir_.file("data"), "--config",
                                     config_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  RunResult ht(std::vector<std::string> args) { return test::run(htArgs(std::move(args)), env()); }
  RunResult awsCli(std::vector<std::string> args) {
    std::vector<std::string> argv = {test::awsCli(), "--endpoint-url", moto_->endpoint()};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, env());
  }
  // Uploads one gzip CloudTrail file under an organisation trail's key layout.
  void upload(const std::string& name_suffix, const std::vector<std::string>& records) {
    std::string body = "{\"Records\":[";
    for (size_t i = 0; i < records.size(); ++i) body += (i ? "," : "") + records[i];
    body += "]}";
    std::string plain = dir_.file("upload-" + name_suffix + ".json");
    test::writeText(plain, body);
    ASSERT_EQ(test::run({"gzip", "-f", plain}).exit_code, 0);
    std::string key = "AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/us-east-1/" +
                      utcNow("%Y/%m/%d/") + "123456789012_CloudTrail_us-east-1_" +
                      utcNow("%Y%m%dT%H%MZ_") + name_suffix + ".json.gz";
    ASSERT_EQ(awsCli({"s3", "cp", plain + ".gz", "s3://org-trail/" + key}).exit_code, 0);
  }
  std::vector<json> triggers() {
    RunResult r = ht({"triggers", "list", "--output", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<json> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out.push_back(json::parse(line));
    }
    return out;
  }
  bool waitForTriggers(size_t n, std::chrono::seconds limit) {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (triggers().size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }
  std::map<std::string, json> sources() {
    RunResult r = ht({"sources", "--output", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, json> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      json j = json::parse(line);
      out[j["source"].get<std::string>()] = j;
    }
    return out;
  }
  RunResult push(int port, const std::string& body, const std::string& key) {
    return test::run({"curl", "-sS", "-o", "/dev/stdout", "-w", "\\n%{http_code}", "-X", "POST",
                      "-H", "content-type: application/json", "-H", "x-api-key: " + key,
                      "--data-binary", body,
                      "http://127.0.0.1:" + std::to_string(port) + "/eventbridge"});
  }

  test::TempDir dir_;
  std::string config_;
};

TEST_F(ServeCliTest, UploadAndPushBecomeTriggersAndSigtermStopsIt) {
  upload("first",
         {record("ev-serve-s3-1", kHoneyKey), record("ev-noise-1", "AKIAIOSFODNN7EXAMPL2")});
  ServeProcess serve(htArgs({"serve"}), env(), dir_.file("serve.log"));
  ASSERT_TRUE(serve.started());
  std::string port =
      serve.waitForLog("push: listening on 127\\.0\\.0\\.1:(\\d+)", std::chrono::seconds(15));
  ASSERT_FALSE(port.empty()) << serve.log();

  // The file already in the bucket is read on the first poll.
  ASSERT_TRUE(waitForTriggers(1, std::chrono::seconds(20))) << serve.log();
  // One uploaded while serve runs is read on a later poll.
  upload("second", {record("ev-serve-s3-2", kHoneyKey)});
  ASSERT_TRUE(waitForTriggers(2, std::chrono::seconds(20))) << serve.log();

  // EventBridge push: right key stored, wrong key refused.
  json event = eventBridgeEvent("6f6f1c8e-1111-2222-3333-444455556666", "ev-serve-push-1");
  RunResult denied = push(std::stoi(port), event.dump(), "wrong-key");
  EXPECT_NE(denied.out.find("\n401"), std::string::npos) << denied.out << denied.err;
  RunResult accepted = push(std::stoi(port), event.dump(), kEventBridgeKey);
  EXPECT_NE(accepted.out.find("\n200"), std::string::npos) << accepted.out << accepted.err;
  ASSERT_TRUE(waitForTriggers(3, std::chrono::seconds(5)));
  // Health is current while serve runs: a pushed delivery shows at once.
  auto live = sources();
  EXPECT_EQ(live["push"]["triggers"], 1);
  EXPECT_EQ(live["push"]["status"], "ok");

  std::set<std::string> ids;
  for (const auto& t : triggers()) ids.insert(t["event_id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{"ev-serve-s3-1", "ev-serve-s3-2", "ev-serve-push-1"}));

  // All three uses of the one token, minutes apart, are one incident.
  RunResult incidents = ht({"incident", "list", "--output", "json"});
  ASSERT_EQ(incidents.exit_code, 0) << incidents.err;
  json incident = json::parse(incidents.out.substr(0, incidents.out.find('\n')));
  EXPECT_EQ(incident["trigger_count"], 3);
  EXPECT_EQ(incident["state"], "open");
  EXPECT_EQ(std::count(incidents.out.begin(), incidents.out.end(), '\n'), 1);

  auto [code, seconds] = serve.terminate(std::chrono::seconds(15));
  EXPECT_EQ(code, 0) << serve.log();
  EXPECT_LT(seconds, 10.0);
  EXPECT_NE(serve.log().find("serve: stopped source s3:org-trail"), std::string::npos);
  // The secret API key never reaches the log.
  EXPECT_EQ(serve.log().find(kEventBridgeKey), std::string::npos);

  auto health = sources();
  ASSERT_EQ(health.count("s3:org-trail"), 1u);
  EXPECT_EQ(health["s3:org-trail"]["status"], "ok");
  EXPECT_EQ(health["s3:org-trail"]["objects"], 2);
  EXPECT_EQ(health["s3:org-trail"]["records"], 3);
  EXPECT_EQ(health["s3:org-trail"]["triggers"], 2);
  ASSERT_EQ(health.count("push"), 1u);
  EXPECT_EQ(health["push"]["triggers"], 1);
  EXPECT_EQ(health["push"]["bad_objects"], 1);  // the wrong key
}

TEST_F(ServeCliTest, RestartReadsWhatArrivedMeanwhileAndNothingTwice) {
  upload("a", {record("ev-restart-1", kHoneyKey)});
  {
    ServeProcess serve(htArgs({"serve"}), env(), dir_.file("serve1.log"));
    ASSERT_TRUE(waitForTriggers(1, std::chrono::seconds(20))) << serve.log();
    EXPECT_EQ(serve.terminate(std::chrono::seconds(15)).first, 0);
  }
  upload("b", {record("ev-restart-2", kHoneyKey)});  // while nothing runs
  ServeProcess serve(htArgs({"serve"}), env(), dir_.file("serve2.log"));
  ASSERT_TRUE(waitForTriggers(2, std::chrono::seconds(20))) << serve.log();
  // A few more polls: the first file is not read again.
  ASSERT_FALSE(serve.waitForLog("serve: running", std::chrono::seconds(10)).empty());
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(serve.terminate(std::chrono::seconds(15)).first, 0);
  EXPECT_EQ(triggers().size(), 2u);
  EXPECT_EQ(sources()["s3:org-trail"]["objects"], 2);
}

TEST_F(ServeCliTest, BadConfigIsRefusedBeforeAnythingStarts) {
  test::writeText(config_,
                  "sources:\n  push:\n    enabled: true\n"
                  "    eventbridge_api_key_env: HT_UNSET_VARIABLE_FOR_TEST\n");
  RunResult r = ht({"serve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("HT_UNSET_VARIABLE_FOR_TEST"), std::string::npos) << r.err;
  test::writeText(config_, "log:\n  level: info\n");
  r = ht({"serve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no source is enabled"), std::string::npos) << r.err;
  // A setting an enabled source cannot run without: `config validate` and serve say the same.
  test::writeText(config_, "sources:\n  sqs:\n    enabled: true\n");
  const std::string problem = config_ +
                              ":3: sources.sqs.queue_url: required when sources.sqs.enabled is "
                              "true (the queue that receives the trail's new-file notices)";
  RunResult validate = ht({"config", "validate", config_});
  EXPECT_EQ(validate.exit_code, 1);
  EXPECT_NE(validate.err.find(problem + "\n"), std::string::npos) << validate.err;
  r = ht({"serve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(problem), std::string::npos) << r.err;
}

// An EventBridge-only endpoint needs no AWS access at all.
TEST_F(ServeCliTest, PushOnlyRunsWithoutAwsCredentials) {
  test::writeText(config_,
                  "sources:\n  push:\n    enabled: true\n    listen: \"127.0.0.1:0\"\n"
                  "    eventbridge_api_key_env: HT_TEST_EB_KEY\n");
  std::map<std::string, std::string> bare = {{"HOME", dir_.path()},
                                             {"HT_TEST_EB_KEY", kEventBridgeKey},
                                             {"AWS_ACCESS_KEY_ID", ""},
                                             {"AWS_SECRET_ACCESS_KEY", ""},
                                             {"AWS_CONFIG_FILE", dir_.file("none")},
                                             {"AWS_SHARED_CREDENTIALS_FILE", dir_.file("none")}};
  ServeProcess serve(htArgs({"serve"}), bare, dir_.file("serve.log"));
  std::string port =
      serve.waitForLog("push: listening on 127\\.0\\.0\\.1:(\\d+)", std::chrono::seconds(15));
  ASSERT_FALSE(port.empty()) << serve.log();
  EXPECT_NE(serve.log().find("push: no AWS access"), std::string::npos);
  json event = eventBridgeEvent("no-aws-1", "ev-no-aws-1");
  RunResult accepted = push(std::stoi(port), event.dump(), kEventBridgeKey);
  EXPECT_NE(accepted.out.find("\n200"), std::string::npos) << accepted.out << serve.log();
  EXPECT_TRUE(waitForTriggers(1, std::chrono::seconds(5)));
  EXPECT_EQ(serve.terminate(std::chrono::seconds(15)).first, 0);
}

// serve delivers alerts as they happen: a pushed use becomes a signed webhook call within
// seconds, with the whole story in it.
TEST_F(ServeCliTest, APushedUseIsAlertedWhileServeRuns) {
  test::ScriptedHttpServer receiver;
  test::writeText(config_,
                  "sources:\n  push:\n    enabled: true\n    listen: \"127.0.0.1:0\"\n"
                  "    eventbridge_api_key_env: HT_TEST_EB_KEY\n"
                  "alerts:\n  outputs:\n    soar:\n      type: webhook\n"
                  "      url: " +
                      receiver.url() +
                      "/hook\n"
                      "      secret_env: HT_TEST_HOOK_SECRET\n      allow_private: true\n"
                      "  routes:\n    all:\n      outputs: [soar]\n");
  auto e = env();
  e["HT_TEST_HOOK_SECRET"] = "hook-secret-for-test";
  ServeProcess serve(htArgs({"serve"}), e, dir_.file("serve.log"));
  std::string port =
      serve.waitForLog("push: listening on 127\\.0\\.0\\.1:(\\d+)", std::chrono::seconds(15));
  ASSERT_FALSE(port.empty()) << serve.log();
  EXPECT_NE(serve.log().find("alert outputs: soar"), std::string::npos) << serve.log();
  json event = eventBridgeEvent("alerted-1", "ev-alerted-1");
  RunResult accepted = push(std::stoi(port), event.dump(), kEventBridgeKey);
  EXPECT_NE(accepted.out.find("\n200"), std::string::npos) << accepted.out << serve.log();
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (receiver.requestCount() == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(receiver.requestCount(), 1u) << serve.log();
  auto request = receiver.requests()[0];
  json story = json::parse(request.body);
  EXPECT_EQ(story["kind"], "new");
  EXPECT_EQ(story["token"]["key_id"], kHoneyKey) << request.body;
  ASSERT_NE(request.header("X-Honeytrail-Signature"), nullptr);
  EXPECT_EQ(request.header("X-Honeytrail-Signature")->rfind("sha256=", 0), 0u);
  EXPECT_EQ(serve.terminate(std::chrono::seconds(15)).first, 0);
  EXPECT_EQ(serve.log().find("hook-secret-for-test"), std::string::npos);
}

TEST_F(ServeCliTest, SourcesShowsAnEnabledSourceThatNeverRanAsBlind) {
  auto health = sources();
  ASSERT_EQ(health.count("s3:org-trail"), 1u);
  EXPECT_EQ(health["s3:org-trail"]["status"], "blind");
  EXPECT_NE(health["s3:org-trail"]["reason"].get<std::string>().find("never run"),
            std::string::npos);
}

}  // namespace
}  // namespace ht::app
