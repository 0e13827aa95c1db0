// Response actions: a real command (stdin, environment, exit status, output cap, timeout that
// takes the whole process group down, a command that never reads) and the webhook action
// against a loopback HTTP server (signature checked independently with OpenSSL).
// ctest-label: slow (waits out real process time-outs)
#include "alert/actions.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "core/strings.h"
#include "support/http_server.h"
#include "support/test_support.h"

namespace ht::alert {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Server = test::ScriptedHttpServer;

constexpr char kBody[] = R"({"incident_id":"inc-42","kind":"new","headline":"Honey token used"})";

incidents::OutboxItem itemWith(std::string body) {
  incidents::OutboxItem item;
  item.id = 1234;
  item.incident_id = "inc-42";
  item.output = actionOutputName("contain");
  item.kind = incidents::AnnouncementKind::kNew;
  item.body = std::move(body);
  return item;
}

config::ActionOptions commandAction(std::vector<std::string> argv, int timeout_seconds = 20) {
  config::ActionOptions o;
  o.name = "contain";
  o.type = config::ActionType::kCommand;
  o.mode = config::ActionMode::kAuto;
  o.command = std::move(argv);
  o.timeout_seconds = timeout_seconds;
  return o;
}

double secondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Gone, or a zombie waiting for a parent (PID 1 of a container may never reap it).
bool processGone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  return close == std::string::npos || text.substr(close + 2, 1) == "Z";
}

bool waitUntilGone(pid_t pid, std::chrono::milliseconds wait) {
  const auto deadline = SteadyClock::now() + wait;
  while (!processGone(pid)) {
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST(ActionsTest, OutputNameIsPrefixed) {
  EXPECT_EQ(actionOutputName("contain"), "action:contain");
}

TEST(CommandActionTest, BodyOnStdinAndIncidentInTheEnvironment) {
  test::TempDir dir;
  const std::string got_stdin = dir / "stdin";
  auto action = makeCommandAction(
      commandAction({"/bin/sh", "-c",
                     "cat > \"$1\"; echo \"id=$HONEYTRAIL_INCIDENT_ID action=$HONEYTRAIL_ACTION "
                     "delivery=$HONEYTRAIL_DELIVERY home=${HOME:+set}\"; echo to-stderr >&2",
                     "sh", got_stdin}));
  DeliveryResult r = action->deliver(itemWith(kBody));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(test::readText(got_stdin), kBody);
  // honeytrail's own environment is passed on (HOME), stdout and stderr share one capture.
  const bool has_home = std::getenv("HOME") != nullptr;
  EXPECT_EQ(r.output, std::string("id=inc-42 action=contain delivery=1234 home=") +
                          (has_home ? "set" : "") + "\nto-stderr\n");
}

TEST(CommandActionTest, ProgramIsLookedUpOnPath) {
  auto action = makeCommandAction(commandAction({"sh", "-c", "printf ok"}));
  DeliveryResult r = action->deliver(itemWith(kBody));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, "ok");
}

TEST(CommandActionTest, NonZeroExitKeepsTheOutput) {
  auto action = makeCommandAction(commandAction({"/bin/sh", "-c", "echo partial; exit 3"}));
  DeliveryResult r = action->deliver(itemWith(kBody));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.error, "exit status 3");
  EXPECT_EQ(r.output, "partial\n");
}

TEST(CommandActionTest, DeathBySignalIsReported) {
  auto action = makeCommandAction(commandAction({"/bin/sh", "-c", "kill -KILL $$"}));
  DeliveryResult r = action->deliver(itemWith(kBody));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.error.rfind("killed by signal 9", 0), 0u) << r.error;
}

TEST(CommandActionTest, ChildStartsWithDefaultSigpipe) {
  // The test helpers ignore SIGPIPE in this process; an ignored signal would survive exec.
  std::signal(SIGPIPE, SIG_IGN);
  auto action = makeCommandAction(
      commandAction({"/bin/sh", "-c", "grep -E '^SigIgn|^SigBlk' /proc/self/status"}));
  DeliveryResult r = action->deliver(itemWith(kBody));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_NE(r.output.find("SigBlk:\t0000000000000000"), std::string::npos) << r.output;
  // /bin/sh itself may ignore some signals; SIGPIPE (bit 13) must not be among them.
  size_t at = r.output.find("SigIgn:\t");
  ASSERT_NE(at, std::string::npos);
  unsigned long long ignored = std::stoull(r.output.substr(at + 8, 16), nullptr, 16);
  EXPECT_EQ(ignored & (1ULL << (SIGPIPE - 1)), 0u) << r.output;
}

TEST(CommandActionTest, TimeoutKillsTheWholeProcessGroup) {
  test::TempDir dir;
  const std::string pid_file = dir / "grandchild.pid";
  auto action = makeCommandAction(commandAction(
      {"/bin/sh", "-c", "sleep 30 & echo $! > \"$1\"; echo waiting; sleep 30", "sh", pid_file},
      /*timeout_seconds=*/1));
  const auto start = SteadyClock::now();
  DeliveryResult r = action->deliver(itemWith(kBody));
  const double took = secondsSince(start);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.error, "timed out after 1s");
  EXPECT_EQ(r.output, "waiting\n");
  EXPECT_GE(took, 0.9);
  EXPECT_LT(took, 5.0);

  const std::string pid_text = trim(test::readText(pid_file));
  ASSERT_FALSE(pid_text.empty());
  const pid_t grandchild = static_cast<pid_t>(std::stol(pid_text));
  EXPECT_TRUE(waitUntilGone(grandchild, std::chrono::seconds(3)))
      << "background process " << grandchild << " survived the timeout";
}

TEST(CommandActionTest, TimeoutEscalatesToSigkillForACommandIgnoringSigterm) {
  test::TempDir dir;
  const std::string pid_file = dir / "grandchild.pid";
  // trap '' TERM is inherited by the background sleep as an ignored signal.
  auto action = makeCommandAction(commandAction(
      {"/bin/sh", "-c", "trap '' TERM; sleep 30 & echo $! > \"$1\"; while :; do sleep 0.05; done",
       "sh", pid_file},
      /*timeout_seconds=*/1));
  const auto start = SteadyClock::now();
  DeliveryResult r = action->deliver(itemWith(kBody));
  const double took = secondsSince(start);
  EXPECT_EQ(r.error, "timed out after 1s");
  EXPECT_GE(took, 2.9);  // one second, then two of grace after SIGTERM
  EXPECT_LT(took, 5.0);
  const pid_t grandchild = static_cast<pid_t>(std::stol(trim(test::readText(pid_file))));
  EXPECT_TRUE(waitUntilGone(grandchild, std::chrono::seconds(3)));
}

TEST(CommandActionTest, OutputIsCappedAt64KiBWithADroppedCount) {
  auto action = makeCommandAction(
      commandAction({"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\000' a"}));
  DeliveryResult r = action->deliver(itemWith(kBody));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, std::string(65536, 'a') + "\n[34464 more bytes dropped]");
}

TEST(CommandActionTest, CapNeverSplitsAUtf8Character) {
  // 65535 ASCII bytes, then "é" (2 bytes) straddling the cap.
  auto action = makeCommandAction(commandAction(
      {"/bin/sh", "-c", "head -c 65535 /dev/zero | tr '\\000' a; printf '\\303\\251tail'"}));
  DeliveryResult r = action->deliver(itemWith(kBody));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, std::string(65535, 'a') + "\n[6 more bytes dropped]");
  EXPECT_TRUE(isValidUtf8(r.output));
}

TEST(CommandActionTest, MissingProgramIsAClearError) {
  auto action = makeCommandAction(commandAction({"/nonexistent/honeytrail-respond", "--now"}));
  DeliveryResult r = action->deliver(itemWith(kBody));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.error, "cannot run /nonexistent/honeytrail-respond: No such file or directory");

  auto on_path = makeCommandAction(commandAction({"honeytrail-no-such-program-zz"}));
  r = on_path->deliver(itemWith(kBody));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "cannot run honeytrail-no-such-program-zz: No such file or directory");
}

TEST(CommandActionTest, EmptyCommandIsAnError) {
  DeliveryResult r = makeCommandAction(commandAction({}))->deliver(itemWith(kBody));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("no command"), std::string::npos) << r.error;
}

TEST(CommandActionTest, ChildThatNeverReadsALargeBodyDoesNotHang) {
  // Default SIGPIPE, as in the daemon: our write to the closed pipe must not kill the test.
  auto old = std::signal(SIGPIPE, SIG_DFL);
  auto action = makeCommandAction(commandAction({"/bin/sh", "-c", "echo ignoring input"}, 10));
  const auto start = SteadyClock::now();
  DeliveryResult r = action->deliver(itemWith(std::string(1 << 20, 'x')));
  std::signal(SIGPIPE, old);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, "ignoring input\n");
  EXPECT_LT(secondsSince(start), 5.0);
}

TEST(CommandActionTest, ChildThatWritesALotBeforeReadingDoesNotDeadlock) {
  test::TempDir dir;
  const std::string count_file = dir / "count";
  // 200 KB of output (more than a pipe holds) before the child reads any of the 1 MiB body.
  auto action = makeCommandAction(commandAction(
      {"/bin/sh", "-c", "head -c 200000 /dev/zero; wc -c > \"$1\"", "sh", count_file}, 10));
  const auto start = SteadyClock::now();
  DeliveryResult r = action->deliver(itemWith(std::string(1 << 20, 'x')));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_LT(secondsSince(start), 5.0);
  EXPECT_EQ(trim(test::readText(count_file)), "1048576");
  EXPECT_NE(r.output.find("[134464 more bytes dropped]"), std::string::npos);
}

// --- webhook action ---

std::string hmacHex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  std::string hex;
  static const char* kDigits = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kDigits[mac[i] >> 4]);
    hex.push_back(kDigits[mac[i] & 0xF]);
  }
  return hex;
}

config::EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

config::ActionOptions webhookAction(const std::string& url) {
  config::ActionOptions o;
  o.name = "isolate";
  o.type = config::ActionType::kWebhook;
  o.mode = config::ActionMode::kAuto;
  o.url = url;
  o.secret_env = "HT_TEST_ACTION_SECRET";
  o.allow_private = true;
  o.timeout_seconds = 5;
  return o;
}

TEST(WebhookActionTest, PostsSignedBodyAndKeepsTheResponse) {
  Server server;
  server.enqueue({200, {{"Content-Type", "application/json"}}, R"({"isolated":"i-0abc"})"});
  auto action = makeWebhookAction(webhookAction(server.url() + "/isolate"),
                                  envOf({{"HT_TEST_ACTION_SECRET", "s3cret"}}));
  ASSERT_TRUE(action.hasValue()) << action.status().toString();
  DeliveryResult r = (*action)->deliver(itemWith(kBody));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.output, R"({"isolated":"i-0abc"})");

  ASSERT_EQ(server.requestCount(), 1u);
  Server::Request req = server.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path(), "/isolate");
  EXPECT_EQ(req.body, kBody);
  ASSERT_NE(req.header("X-Honeytrail-Signature"), nullptr);
  EXPECT_EQ(*req.header("X-Honeytrail-Signature"), "sha256=" + hmacHex("s3cret", kBody));
  ASSERT_NE(req.header("Content-Type"), nullptr);
  EXPECT_EQ(*req.header("Content-Type"), "application/json");
  ASSERT_NE(req.header("X-Honeytrail-Incident"), nullptr);
  EXPECT_EQ(*req.header("X-Honeytrail-Incident"), "inc-42");
  ASSERT_NE(req.header("X-Honeytrail-Delivery"), nullptr);
  EXPECT_EQ(*req.header("X-Honeytrail-Delivery"), "1234");
}

TEST(WebhookActionTest, NoSecretEnvMeansNoSignature) {
  Server server;
  server.enqueue({204, {}, ""});
  config::ActionOptions o = webhookAction(server.url() + "/hook");
  o.secret_env = "";
  auto action = makeWebhookAction(o, envOf({}));
  ASSERT_TRUE(action.hasValue()) << action.status().toString();
  DeliveryResult r = (*action)->deliver(itemWith(kBody));
  EXPECT_TRUE(r.ok) << r.error;
  ASSERT_EQ(server.requestCount(), 1u);
  EXPECT_EQ(server.requests()[0].header("X-Honeytrail-Signature"), nullptr);
}

TEST(WebhookActionTest, ServerErrorIsNeverRetried) {
  Server server;
  server.enqueue({500, {}, "isolation backend down"});
  auto action = makeWebhookAction(webhookAction(server.url() + "/isolate"),
                                  envOf({{"HT_TEST_ACTION_SECRET", "s3cret"}}));
  ASSERT_TRUE(action.hasValue());
  DeliveryResult r = (*action)->deliver(itemWith(kBody));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.http_status, 500);
  EXPECT_EQ(r.error.rfind("HTTP 500 from http://127.0.0.1:", 0), 0u) << r.error;
  EXPECT_EQ(r.output, "isolation backend down");
}

TEST(WebhookActionTest, LargeResponseIsCapped) {
  Server server;
  server.enqueue({200, {}, std::string(70000, 'r')});
  auto action = makeWebhookAction(webhookAction(server.url() + "/x"),
                                  envOf({{"HT_TEST_ACTION_SECRET", "k"}}));
  ASSERT_TRUE(action.hasValue());
  DeliveryResult r = (*action)->deliver(itemWith(kBody));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, std::string(65536, 'r') + "\n[4464 more bytes dropped]");
}

TEST(WebhookActionTest, PrivateAddressIsRefusedWithoutSending) {
  Server server;
  server.enqueue({200, {}, "should not be reached"});
  config::ActionOptions o = webhookAction(server.url() + "/isolate");
  o.allow_private = false;
  auto action = makeWebhookAction(o, envOf({{"HT_TEST_ACTION_SECRET", "s3cret"}}));
  ASSERT_TRUE(action.hasValue());
  DeliveryResult r = (*action)->deliver(itemWith(kBody));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("refusing"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("loopback"), std::string::npos) << r.error;
  EXPECT_EQ(server.requestCount(), 0u);
}

TEST(WebhookActionTest, UnsetSecretVariableNamesTheKeyAndVariable) {
  auto action = makeWebhookAction(webhookAction("https://respond.example.com/isolate"), envOf({}));
  ASSERT_FALSE(action.hasValue());
  const std::string& msg = action.status().message();
  EXPECT_NE(msg.find("alerts.actions.isolate.secret_env"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HT_TEST_ACTION_SECRET"), std::string::npos) << msg;
}

TEST(WebhookActionTest, TransportErrorsHideThePathAndQuery) {
  std::string url;
  {
    // A port that was just free: the server's own, after it stopped. The connection is refused.
    Server gone;
    url = gone.url() + "/hooks/T0SECRETPATH?token=abc123";
  }
  auto action = makeWebhookAction(webhookAction(url), envOf({{"HT_TEST_ACTION_SECRET", "k"}}));
  ASSERT_TRUE(action.hasValue());
  DeliveryResult r = (*action)->deliver(itemWith(kBody));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("127.0.0.1"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("T0SECRETPATH"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("abc123"), std::string::npos) << r.error;
}

TEST(WebhookActionTest, UrlMustBeHttp) {
  auto action = makeWebhookAction(webhookAction("ftp://example.com/x"),
                                  envOf({{"HT_TEST_ACTION_SECRET", "k"}}));
  ASSERT_FALSE(action.hasValue());
  EXPECT_NE(action.status().message().find("alerts.actions.isolate.url"), std::string::npos);
}

}  // namespace
}  // namespace ht::alert
