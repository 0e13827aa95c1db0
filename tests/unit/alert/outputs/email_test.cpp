// The email output: its RFC 5322 message read back by an independent parser (Python's email
// package), and its delivery to a real SMTP server (aiosmtpd) with STARTTLS on loopback.
// ctest-label: slow (starts aiosmtpd and Python's email parser)
#include "alert/outputs/email.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/strings.h"
#include "support/test_support.h"
#include "unit/alert/outputs/fixtures.h"

extern char** environ;

namespace ht::alert {
namespace {

using fixtures::at;
using fixtures::baseOptions;
using fixtures::closedPort;
using fixtures::itemFor;
using fixtures::kLast;
using fixtures::kLink;
using fixtures::makeStory;
using nlohmann::json;
using std::chrono::seconds;

// ---- The message --------------------------------------------------------------------------------

// Python's email package (policy=default, RFC 5322 aware) reads the message back.
json parseEmail(const std::string& message) {
  const std::string script = R"PY(
import sys, json, email, email.utils
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
defects = [type(d).__name__ for d in m.defects]
for k, v in m.items():
    defects += [k + ':' + type(d).__name__ for d in getattr(v, 'defects', [])]
print(json.dumps({
  'headers': [[k, str(v)] for k, v in m.items()],
  'subject': str(m['subject']),
  'to': [a for _, a in email.utils.getaddresses([str(m['to'])])],
  'date': email.utils.parsedate_to_datetime(str(m['date'])).isoformat(),
  'content_type': m.get_content_type(),
  'charset': m.get_content_charset(),
  'cte': str(m['content-transfer-encoding']),
  'body': m.get_content(),
  'defects': defects,
}))
)PY";
  const test::RunResult r = test::run({"python3", "-c", script}, {}, message);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

void expectCrlfOnly(const std::string& m) {
  for (size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      EXPECT_TRUE(i > 0 && m[i - 1] == '\r') << "bare LF at " << i;
    } else if (m[i] == '\r') {
      EXPECT_TRUE(i + 1 < m.size() && m[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  size_t start = 0;
  for (size_t i = m.find("\r\n"); i != std::string::npos; i = m.find("\r\n", start)) {
    EXPECT_LE(i - start, 998u);
    start = i + 2;
  }
}

TEST(PayloadEmail, ParsesAsRfc5322WithTheStory) {
  Story s = makeStory();
  s.headline += "\r\nBcc: victim@example.com";
  const std::string m = emailMessage(s, "honeytrail <alerts@example.com>",
                                     {"soc@example.com", "oncall@example.com"}, kLast);
  expectCrlfOnly(m);
  const json p = parseEmail(m);
  EXPECT_EQ(p["defects"], json::array());
  EXPECT_EQ(p["subject"],
            "[honeytrail] Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli) Bcc: "
            "victim@example.com");
  EXPECT_EQ(p["to"], json::array({"soc@example.com", "oncall@example.com"}));
  EXPECT_EQ(p["date"], "2026-11-28T15:44:52+00:00");
  EXPECT_EQ(p["content_type"], "text/plain");
  EXPECT_EQ(p["charset"], "utf-8");
  EXPECT_EQ(p["cte"], "8bit");
  std::set<std::string> names;
  for (const json& h : p["headers"]) names.insert(h[0].get<std::string>());
  for (const char* h : {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                        "Content-Type", "Content-Transfer-Encoding"}) {
    EXPECT_TRUE(names.count(h)) << h;
  }
  EXPECT_FALSE(names.count("Bcc"));
  for (const json& h : p["headers"]) {
    if (h[0] == "Message-ID") {
      EXPECT_EQ(h[1], "<inc-20261128-0001@example.com>");
    }
  }
  const std::string body = p["body"];
  for (const char* want :
       {"Key ID: AKIA2E0A8F3B244C9986", "User ARN: arn:aws:iam::111122223333:user/honeytrail/",
        "Where it lives", "placed on web-01 in /home/deploy/.aws/credentials", "owner ops",
        "Chain of custody", "alice via copied — into CI for the canary job",
        "What the attacker did", "s3:ListBuckets ×5 in us-east-1 → AccessDenied", "Who called",
        "Tor exit node", "Runbook", "**Do not delete the key**", kLink.c_str()}) {
    EXPECT_NE(body.find(want), std::string::npos) << want;
  }
}

TEST(PayloadEmail, NonAsciiSubjectIsEncodedAndThreaded) {
  Story s = makeStory();
  s.kind = incidents::AnnouncementKind::kEscalation;
  s.escalation = "first write call: s3:PutObject from Zürich ☠";
  const std::string m = emailMessage(s, "alerts@example.com", {"soc@example.com"}, kLast);
  expectCrlfOnly(m);
  const size_t subj = m.find("Subject: ");
  ASSERT_NE(subj, std::string::npos);
  EXPECT_EQ(m.compare(subj, 19, "Subject: =?UTF-8?B?"), 0);
  const json p = parseEmail(m);
  EXPECT_EQ(p["defects"], json::array());
  EXPECT_EQ(p["subject"],
            "[honeytrail] Escalation: first write call: s3:PutObject from Zürich ☠ — Honey key "
            "AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli)");
  bool replies = false;
  for (const json& h : p["headers"]) {
    if (h[0] == "In-Reply-To") replies = h[1] == "<inc-20261128-0001@example.com>";
  }
  EXPECT_TRUE(replies);
  EXPECT_TRUE(startsWith(p["body"].get<std::string>(), "Escalation: first write call"));
}

// ---- Delivery -----------------------------------------------------------------------------------

const std::string kSmtpUser = "alerts@example.com";
const std::string kSmtpPassword = "smtp-pa55word-do-not-leak";

// Debian's python3 (which has python3-aiosmtpd) may not be the first python3 on PATH.
std::string pythonWithAiosmtpd() {
  for (const char* candidate : {"/usr/bin/python3", "python3"}) {
    if (candidate[0] == '/' && !std::filesystem::exists(candidate)) continue;
    if (test::run({candidate, "-c", "import aiosmtpd"}).exit_code == 0) return candidate;
  }
  return "";
}

bool canConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// The value of header `name` in an RFC 5322 message (the first line only).
std::string headerOf(const std::string& message, const std::string& name) {
  const std::string prefix = name + ": ";
  size_t pos = message.find("\r\n" + prefix);
  if (pos == std::string::npos) return startsWith(message, prefix) ? "" : "(missing)";
  pos += 2 + prefix.size();
  return message.substr(pos, message.find("\r\n", pos) - pos);
}

class EmailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = pythonWithAiosmtpd();
    if (python_.empty())
      GTEST_SKIP() << "python3 cannot import aiosmtpd (apt install python3-aiosmtpd)";
    // A self-signed certificate for the address the output connects to.
    test::RunResult gen =
        test::run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                   dir_ / "key.pem", "-out", dir_ / "cert.pem", "-days", "2", "-subj",
                   "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    std::filesystem::create_directory(dir_ / "out");
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  // Starts the receiver; waits until it accepts connections.
  void startReceiver(bool tls) {
    std::vector<std::string> args = {
        python_,       std::string(HT_SOURCE_DIR) + "/tests/support/smtp_receiver.py",
        "--out",       dir_ / "out",
        "--port-file", dir_ / "port",
        "--user",      kSmtpUser,
        "--password",  kSmtpPassword};
    if (tls) {
      for (const std::string& a :
           {std::string("--cert"), dir_ / "cert.pem", std::string("--key"), dir_ / "key.pem"}) {
        args.push_back(a);
      }
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = dir_ / "receiver.log";
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(rc, 0) << "cannot start " << python_;

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      if (std::filesystem::exists(dir_ / "port")) {
        port_ = std::stoi(test::readText(dir_ / "port"));
        if (canConnect(port_)) return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL() << "the SMTP receiver exited: " << test::readText(log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "the SMTP receiver did not start: " << test::readText(log);
  }

  std::unique_ptr<Output> output(const std::string& password = kSmtpPassword,
                                 const std::vector<std::string>& to = {"Sec Team <sec@example.com>",
                                                                       "oncall@example.com"},
                                 bool with_ca = true) {
    config::OutputOptions o = baseOptions("email");
    o.username = kSmtpUser;
    o.email_from = "Honeytrail <honeytrail@example.com>";
    o.email_to = to;
    if (with_ca) o.ca_file = dir_ / "cert.pem";
    return makeEmailOutput(o, {"smtp://127.0.0.1:" + std::to_string(port_), password});
  }

  incidents::OutboxItem message(const Story& story) {
    return itemFor(story.incident_id, story.kind,
                   emailMessage(story, "Honeytrail <honeytrail@example.com>",
                                {"Sec Team <sec@example.com>", "oncall@example.com"},
                                at("2026-03-01T10:06:00Z")));
  }

  std::vector<json> received() {
    std::vector<json> out;
    for (int i = 1; std::filesystem::exists(dir_ / ("out/message-" + std::to_string(i) + ".json"));
         ++i) {
      out.push_back(
          json::parse(test::readText(dir_ / ("out/message-" + std::to_string(i) + ".json"))));
    }
    return out;
  }

  std::string events() {
    const std::string path = dir_ / "out/events.log";
    return std::filesystem::exists(path) ? test::readText(path) : "";
  }

  test::TempDir dir_;
  std::string python_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST_F(EmailTest, DeliversOverStartTlsWithLogin) {
  startReceiver(/*tls=*/true);
  incidents::OutboxItem item = message(makeStory("inc-e-1", "new"));
  DeliveryResult r = output()->deliver(item);
  ASSERT_TRUE(r.ok) << r.error << "\n" << events();
  EXPECT_EQ(r.http_status, 250);
  EXPECT_EQ(r.output, "accepted by 127.0.0.1:" + std::to_string(port_) + " for 2 recipients");

  std::vector<json> got = received();
  ASSERT_EQ(got.size(), 1u);
  const json& m = got[0];
  EXPECT_TRUE(m["tls"].get<bool>());
  EXPECT_TRUE(m["authenticated"].get<bool>());
  EXPECT_EQ(m["mail_from"], "honeytrail@example.com");
  EXPECT_EQ(m["rcpt_tos"], json::array({"sec@example.com", "oncall@example.com"}));
  EXPECT_EQ(m["subject"], headerOf(item.body, "Subject"));
  EXPECT_NE(m["subject"].get<std::string>().find("[honeytrail]"), std::string::npos);
  EXPECT_EQ(m["from"], "Honeytrail <honeytrail@example.com>");
  EXPECT_EQ(m["to"], "Sec Team <sec@example.com>, oncall@example.com");
  EXPECT_EQ(m["message_id"], "<inc-e-1@example.com>");
  EXPECT_EQ(m["content_type"], "text/plain");
  // The body arrives whole: UTF-8 intact and the lone-dot runbook line dot-stuffed and restored.
  const std::string sent_body =
      replaceAll(item.body.substr(item.body.find("\r\n\r\n") + 4), "\r\n", "\n");
  EXPECT_EQ(m["body"], sent_body);
  EXPECT_NE(sent_body.find("Büro deploy key"), std::string::npos);
  EXPECT_NE(sent_body.find("\n.\n"), std::string::npos);
}

TEST_F(EmailTest, WrongPasswordIsPermanentAndNeverQuoted) {
  startReceiver(/*tls=*/true);
  const std::string wrong = "wrong-pa55word-secret";
  DeliveryResult r = output(wrong)->deliver(message(makeStory("inc-e-2", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable) << r.error;
  EXPECT_EQ(r.http_status, 535);
  EXPECT_NE(r.error.find("refused the login"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(wrong), std::string::npos) << r.error;
  EXPECT_NE(events().find("AUTH"), std::string::npos);
  EXPECT_NE(events().find("fail"), std::string::npos);
  EXPECT_EQ(events().find("MAIL"), std::string::npos) << events();
  EXPECT_TRUE(received().empty());
}

TEST_F(EmailTest, ServerWithoutStartTlsGetsNothingAndTheFailureIsPermanent) {
  startReceiver(/*tls=*/false);
  DeliveryResult r = output()->deliver(message(makeStory("inc-e-3", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable) << r.error;
  EXPECT_NE(r.error.find("does not offer STARTTLS"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("requires"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(kSmtpPassword), std::string::npos) << r.error;
  // Not the login, not even the envelope.
  EXPECT_EQ(events(), "");
  EXPECT_TRUE(received().empty());
}

TEST_F(EmailTest, UntrustedCertificateSendsNothingAndIsRetried) {
  startReceiver(/*tls=*/true);
  DeliveryResult r = output(kSmtpPassword, {"sec@example.com"}, /*with_ca=*/false)
                         ->deliver(message(makeStory("inc-e-4", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable) << r.error;  // an operator can add ca_file before the item ages out
  EXPECT_EQ(events(), "");
  EXPECT_TRUE(received().empty());
}

TEST_F(EmailTest, RejectedRecipientIsPermanentAndGreylistingIsRetried) {
  startReceiver(/*tls=*/true);
  DeliveryResult r = output(kSmtpPassword, {"reject-me@example.com"})
                         ->deliver(message(makeStory("inc-e-5", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable) << r.error;
  EXPECT_EQ(r.http_status, 550);
  EXPECT_NE(r.error.find("No such user"), std::string::npos) << r.error;

  r = output(kSmtpPassword, {"greylist@example.com"})
          ->deliver(message(makeStory("inc-e-5", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable) << r.error;
  EXPECT_EQ(r.http_status, 451);
  EXPECT_TRUE(received().empty());
}

TEST_F(EmailTest, ServerDownIsRetried) {
  port_ = closedPort();
  DeliveryResult r = output()->deliver(message(makeStory("inc-e-6", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable) << r.error;
  EXPECT_NE(r.error.find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find(kSmtpPassword), std::string::npos) << r.error;
}

TEST_F(EmailTest, PlainTextServerUrlIsRefused) {
  config::OutputOptions o = baseOptions("email");
  o.email_from = "honeytrail@example.com";
  o.email_to = {"sec@example.com"};
  DeliveryResult r = makeEmailOutput(o, {"http://127.0.0.1:25", ""})
                         ->deliver(message(makeStory("inc-e-7", "new")));
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.error.find("smtp://"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace ht::alert
