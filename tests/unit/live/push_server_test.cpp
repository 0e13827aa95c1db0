// The push endpoint over real HTTP on 127.0.0.1: EventBridge deliveries (authentication, the
// heartbeat, bad bodies), limits (body size, stalled clients, concurrency), SNS deliveries
// verified with the real AWS-signed messages in ../shared/testdata/sns and with messages signed
// here by a self-made identity (notices, CloudTrail notices fetched from moto, subscription
// confirmations), and stop().
#include "live/push_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aws/key_id.h"
#include "aws/session.h"
#include "core/clock.h"
#include "store/sqlite/sqlite_store.h"
#include "support/moto_server.h"
#include "support/test_signing.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::live {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;

const std::string kTestdata = HT_SHARED_TESTDATA;
const std::string kEventBridgeDir = kTestdata + "/cloudtrail/eventbridge/cloud-custodian-cwe";
const std::string kRizenDir = kTestdata + "/sns/rizen-AWS-SNS-Verify";
const std::string kPhpDir = kTestdata + "/sns/aws-php-sns-message-validator";
const std::string kRizenPem =
    kRizenDir + "/SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem";
const std::string kPhpPem =
    kPhpDir + "/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";

// A real AKIA key ID from the invictus data set; registered as a honey key in every test.
constexpr const char* kKey = "AKIATFQR7NSCUXC3DDDP";
constexpr const char* kApiKey = "s3cr3t-api-key-0123456789";

TimePoint at(const char* text) { return *parseTime(text); }
// Inside each real certificate's validity period, days after the messages were signed.
const TimePoint kRizenTime = at("2015-03-01T00:00:00Z");
const TimePoint kPhpTime = at("2022-07-29T00:00:00Z");
// The self-made identity's time.
const TimePoint kNow = at("2030-01-01T00:00:00Z");

// ---------------------------------------------------------------------------------------------
// Data

// The real EventBridge "AWS API Call via CloudTrail" event (cloud-custodian's AddTags) with the
// honey key swapped in for the session key it carried; eventID and id made unique by `n`.
json honeyEvent(int n = 0) {
  json e = json::parse(test::readText(kEventBridgeDir + "/event-cloud-trail-appelb-add-tags.json"));
  e["detail"]["userIdentity"]["accessKeyId"] = kKey;
  if (n != 0) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%012d", n);
    e["id"] = std::string("5471314a-e675-32d7-2742-") + suffix;
    e["detail"]["eventID"] = std::string("e9f72371-5fc5-48fc-999d-") + suffix;
  }
  return e;
}

std::vector<json> loadArray(const std::string& path) {
  return json::parse(test::readText(path)).get<std::vector<json>>();
}

std::string certUrlOf(const json& m) {
  return m.contains("SigningCertURL") ? m["SigningCertURL"].get<std::string>()
                                      : m["SigningCertUrl"].get<std::string>();
}

// ---------------------------------------------------------------------------------------------
// A self-made SNS signing identity (what no real AWS message can cover: we cannot sign as AWS).

const std::string kTestHost = "sns.honeytrail.test:8443";
const std::string kTestCertUrl = "https://" + kTestHost + "/SimpleNotificationService-test.pem";
const std::string kTestTopic = "arn:aws:sns:eu-west-1:123456789012:honeytrail-push";

// Signs j (SignatureVersion 2) the way SNS does and returns the delivery body.
std::string signedBody(json j) {
  j["SignatureVersion"] = "2";
  j["Signature"] = "";
  j["SigningCertURL"] = kTestCertUrl;
  auto parsed = parseSnsMessage(j.dump());
  EXPECT_TRUE(parsed.hasValue()) << parsed.status().toString();
  if (!parsed.hasValue()) return j.dump();
  j["Signature"] = test::signBase64(snsStringToSign(*parsed), EVP_sha256());
  return j.dump();
}

std::string signedNotification(const std::string& message, const std::string& id = "n-1") {
  return signedBody({{"Type", "Notification"},
                     {"MessageId", id},
                     {"TopicArn", kTestTopic},
                     {"Message", message},
                     {"Timestamp", "2029-12-31T23:59:00.000Z"}});
}

std::string signedConfirmation(const std::string& subscribe_url) {
  return signedBody({{"Type", "SubscriptionConfirmation"},
                     {"MessageId", "c-1"},
                     {"Token", "token-1"},
                     {"TopicArn", kTestTopic},
                     {"Message", "You have chosen to subscribe to the topic"},
                     {"SubscribeURL", subscribe_url},
                     {"Timestamp", "2029-12-31T23:59:00.000Z"}});
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

struct Reply {
  int status = -1;  // -1: no HTTP response at all
  std::string body;
  std::string detail() const {
    json j = json::parse(body, nullptr, false);
    return j.is_object() ? j.value("detail", "") : "";
  }
};

Reply request(int port, const std::string& method, const std::string& path, const std::string& body,
              const httplib::Headers& headers = {},
              const std::pair<std::string, std::string>* basic = nullptr) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(10, 0);
  if (basic != nullptr) c.set_basic_auth(basic->first.c_str(), basic->second.c_str());
  httplib::Result r = method == "GET" ? c.Get(path.c_str(), headers)
                                      : c.Post(path.c_str(), headers, body, "application/json");
  if (!r) return {-1, "client error " + std::to_string(static_cast<int>(r.error()))};
  return {r->status, r->body};
}

Reply postEventBridge(int port, const std::string& body, const std::string& key = kApiKey) {
  return request(port, "POST", "/eventbridge", body, {{"x-api-key", key}});
}

// A raw TCP connection to 127.0.0.1:port; -1 when refused.
int connectRaw(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads until the peer closes (or resets) the connection or `limit` passes; how long it took,
// or nullopt when the connection was still open at the limit.
std::optional<std::chrono::milliseconds> waitForClose(int fd, std::chrono::milliseconds limit) {
  auto start = Steady::now();
  char buf[4096];
  while (Steady::now() - start < limit) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(limit - (Steady::now() - start))
            .count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start);
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Fixture: a store, a registry with the honey key, the pipeline, a health tracker and a server.

class PushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::openSqliteStore(dir_.file("h.db"), {});
    ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
    store_ = std::move(opened).value();
    vault_ = std::make_unique<tokens::SecretVault>(
        config_.secrets, dir_.path(),
        [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
    registry_ = std::make_unique<tokens::Registry>(*store_, *vault_, config_,
                                                   SystemClock::instance(), random_, "tester@ci");
    tokens::ImportOptions import;
    import.key_id = kKey;
    auto token = registry_->importKey(import);
    ASSERT_TRUE(token.hasValue()) << token.status().toString();
    token_id_ = token->id;
    pipeline_ = std::make_unique<Pipeline>(*store_, *registry_, nullptr, SystemClock::instance());
    health_ = std::make_unique<HealthTracker>(*store_, "push", "push", SystemClock::instance());
    options_.enabled = true;
    options_.listen = "127.0.0.1:0";
    options_.read_timeout_ms = 300;
    options_.max_body_bytes = 64 * 1024;
    creds_.api_key = kApiKey;
    creds_.basic_user = "eventbridge";
    creds_.basic_password = "b4sic-pa55word";
  }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
  }

  // The verifier for messages signed by test::testRsaKey(), their certificate pre-seeded.
  SnsVerifier& selfSignedVerifier(std::vector<std::string> topics = {kTestTopic}) {
    test::writeText(dir_.file(snsCertCacheName(kTestCertUrl)),
                    test::selfSignedCertPem(kNow - std::chrono::hours(24),
                                            kNow + std::chrono::hours(24), "sns.test"));
    return verifier(std::move(topics), kNow, {kTestHost});
  }
  // A verifier with the given topics and time that never fetches a certificate.
  SnsVerifier& verifier(std::vector<std::string> topics, TimePoint now,
                        std::vector<std::string> extra_hosts = {}) {
    sns_clock_ = std::make_unique<FixedClock>(now);
    SnsVerifierOptions o;
    o.topic_arns = std::move(topics);
    o.cert_dir = dir_.path();
    o.fetch_certs = false;
    o.allowed_hosts_extra = std::move(extra_hosts);
    o.clock = sns_clock_.get();
    sns_ = std::make_unique<SnsVerifier>(o, [](const std::string& url) -> Result<std::string> {
      ADD_FAILURE() << "a certificate was fetched: " << url;
      return Status::ioError("no network in this test");
    });
    return *sns_;
  }

  // Starts the server; every test's requests go to port().
  void start(ObjectReader* reader = nullptr, std::vector<std::string> extra_hosts = {}) {
    if (!sns_) verifier({}, kNow);
    server_ = std::make_unique<PushServer>(
        options_, creds_, *pipeline_, reader, *sns_, *health_, SystemClock::instance(),
        [this](const std::string& url) -> Result<std::string> {
          std::lock_guard lock(mu_);
          visited_.push_back(url);
          return std::string("<ConfirmSubscriptionResponse/>");
        },
        std::move(extra_hosts));
    Status st = server_->start();
    ASSERT_TRUE(st.isOk()) << st.toString();
    ASSERT_GT(server_->port(), 0);
  }
  int port() const { return server_->port(); }

  std::vector<detect::TriggerRecord> triggers() {
    auto t = store_->listTriggers({});
    EXPECT_TRUE(t.hasValue()) << t.status().toString();
    return t.hasValue() ? *t : std::vector<detect::TriggerRecord>{};
  }
  std::vector<std::string> visited() {
    std::lock_guard lock(mu_);
    return visited_;
  }

  test::TempDir dir_;
  config::Config config_;
  SodiumRandomSource random_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<tokens::SecretVault> vault_;
  std::unique_ptr<tokens::Registry> registry_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<HealthTracker> health_;
  std::unique_ptr<FixedClock> sns_clock_;
  std::unique_ptr<SnsVerifier> sns_;
  config::PushSourceOptions options_;
  PushCredentials creds_;
  std::unique_ptr<PushServer> server_;
  std::string token_id_;
  std::mutex mu_;
  std::vector<std::string> visited_;
};

// ---------------------------------------------------------------------------------------------
// EventBridge

using PushEventBridgeTest = PushTest;

TEST_F(PushEventBridgeTest, HoneyKeyUseBecomesOneTriggerOnce) {
  start();
  const std::string body = honeyEvent().dump();
  Reply r = postEventBridge(port(), body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.detail(), "1 new trigger(s)");
  auto t = triggers();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].token_id, token_id_);
  EXPECT_EQ(t[0].event_id, "e9f72371-5fc5-48fc-999d-462e13fdc6bd");
  EXPECT_EQ(t[0].event_name, "AddTags");
  EXPECT_EQ(t[0].event_source, "elasticloadbalancing.amazonaws.com");
  EXPECT_EQ(t[0].trigger_class, detect::TriggerClass::kUsed);

  // EventBridge delivers at least once: the same event again is accepted and changes nothing.
  r = postEventBridge(port(), body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.detail(), "0 new trigger(s)");
  EXPECT_EQ(triggers().size(), 1u);

  live::SourceHealth h = health_->snapshot();
  EXPECT_EQ(h.objects, 2u);
  EXPECT_EQ(h.records, 2u);
  EXPECT_EQ(h.triggers, 1u);
  EXPECT_EQ(h.bad_objects, 0u);
  EXPECT_TRUE(h.last_data_at.has_value());
  EXPECT_EQ(h.last_object, "eventbridge:5471314a-e675-32d7-2742-690d2d978102");
}

TEST_F(PushEventBridgeTest, CloudTrailEventWithoutHoneyKeyIsAcceptedWithoutTrigger) {
  start();
  // The real event as it is (a session key of someone else): a good delivery, nothing to report.
  Reply r = postEventBridge(
      port(), test::readText(kEventBridgeDir + "/event-cloud-trail-appelb-add-tags.json"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.detail(), "0 new trigger(s)");
  EXPECT_TRUE(triggers().empty());
  EXPECT_EQ(health_->snapshot().records, 1u);
  EXPECT_EQ(health_->snapshot().bad_objects, 0u);
}

TEST_F(PushEventBridgeTest, ApiKeyAndBasicAuth) {
  start();
  const std::string body = honeyEvent().dump();
  EXPECT_EQ(postEventBridge(port(), body).status, 200);

  Reply wrong = postEventBridge(port(), body, "s3cr3t-api-key-0123456780");
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_EQ(wrong.detail(), "missing or wrong credentials");
  EXPECT_EQ(postEventBridge(port(), body, "").status, 401);
  EXPECT_EQ(request(port(), "POST", "/eventbridge", body).status, 401) << "no credentials at all";
  // The key under another header name is no key.
  EXPECT_EQ(request(port(), "POST", "/eventbridge", body, {{"x-api-token", kApiKey}}).status, 401);

  std::pair<std::string, std::string> right{"eventbridge", "b4sic-pa55word"};
  std::pair<std::string, std::string> bad_password{"eventbridge", "b4sic-pa55worD"};
  std::pair<std::string, std::string> bad_user{"eventbridgE", "b4sic-pa55word"};
  EXPECT_EQ(request(port(), "POST", "/eventbridge", body, {}, &right).status, 200);
  EXPECT_EQ(request(port(), "POST", "/eventbridge", body, {}, &bad_password).status, 401);
  EXPECT_EQ(request(port(), "POST", "/eventbridge", body, {}, &bad_user).status, 401);
  EXPECT_EQ(request(port(), "POST", "/eventbridge", body, {{"Authorization", "Basic !!!notbase64"}})
                .status,
            401);

  EXPECT_EQ(triggers().size(), 1u);
  EXPECT_EQ(health_->snapshot().bad_objects, 7u) << "every rejected request is counted";
  EXPECT_NE(health_->snapshot().last_error.find("authentication failed"), std::string::npos);
}

TEST_F(PushEventBridgeTest, NoCredentialsConfiguredRefusesEverything) {
  creds_ = PushCredentials{};
  start();
  const std::string body = honeyEvent().dump();
  std::pair<std::string, std::string> empty_basic{"", ""};
  for (const Reply& r : {postEventBridge(port(), body), postEventBridge(port(), body, ""),
                         request(port(), "POST", "/eventbridge", body),
                         request(port(), "POST", "/eventbridge", body, {}, &empty_basic)}) {
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.detail(), "no EventBridge credentials are configured");
  }
  EXPECT_TRUE(triggers().empty());
  EXPECT_EQ(health_->snapshot().bad_objects, 4u);
}

TEST_F(PushEventBridgeTest, ScheduledEventIsHeartbeat) {
  start();
  ASSERT_FALSE(health_->snapshot().last_data_at.has_value());
  auto before =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  Reply r = postEventBridge(port(), test::readText(kEventBridgeDir + "/event-scheduled.json"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.detail(), "heartbeat");
  live::SourceHealth h = health_->snapshot();
  ASSERT_TRUE(h.last_data_at.has_value());
  EXPECT_GE(*h.last_data_at, before);
  EXPECT_EQ(h.records, 0u);
  EXPECT_EQ(h.bad_objects, 0u);
  EXPECT_TRUE(triggers().empty());
}

TEST_F(PushEventBridgeTest, BadBodiesAre400AndCounted) {
  start();
  Reply not_json = postEventBridge(port(), "this is not JSON {");
  EXPECT_EQ(not_json.status, 400) << not_json.body;
  EXPECT_EQ(health_->snapshot().bad_objects, 1u);

  Reply other = postEventBridge(port(), R"({"hello":"world","n":[1,2,3]})");
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_EQ(health_->snapshot().bad_objects, 2u);

  // A real EventBridge event that is not a CloudTrail record (an EC2 state change).
  Reply state =
      postEventBridge(port(), test::readText(kEventBridgeDir + "/event-instance-state.json"));
  EXPECT_EQ(state.status, 400) << state.body;
  EXPECT_EQ(health_->snapshot().bad_objects, 3u);

  Reply empty = postEventBridge(port(), "");
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_EQ(health_->snapshot().bad_objects, 4u);

  // A detail-type that is not a string used to throw out of the handler: a 500, which tells
  // EventBridge to retry a body that can never succeed.
  Reply odd = postEventBridge(port(), R"({"detail-type":5,"detail":{}})");
  EXPECT_EQ(odd.status, 400) << odd.body;
  live::SourceHealth h = health_->snapshot();
  EXPECT_EQ(h.bad_objects, 5u);
  EXPECT_EQ(h.errors, 0u);
  EXPECT_FALSE(h.last_data_at.has_value()) << "rejections are no proof of life";
  EXPECT_NE(h.last_error.find("eventbridge request"), std::string::npos) << h.last_error;
  EXPECT_TRUE(triggers().empty());
}

// ---------------------------------------------------------------------------------------------
// Limits

using PushLimitsTest = PushTest;

TEST_F(PushLimitsTest, BodyOverLimitIs413) {
  options_.max_body_bytes = 2048;
  start();
  json big = honeyEvent();
  big["detail"]["requestParameters"]["padding"] = std::string(4096, 'x');
  Reply r = postEventBridge(port(), big.dump());
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_TRUE(triggers().empty());
  EXPECT_EQ(health_->snapshot().bad_objects, 1u);
  EXPECT_NE(health_->snapshot().last_error.find("413"), std::string::npos);
  // Just under the limit is fine.
  std::string small = honeyEvent().dump();
  ASSERT_LT(small.size(), 2048u);
  EXPECT_EQ(postEventBridge(port(), small).status, 200);
}

TEST_F(PushLimitsTest, StalledClientIsCutOffAndOthersAreServed) {
  start();
  auto opened = Steady::now();
  // Half the headers, then nothing.
  int headers_fd = connectRaw(port());
  ASSERT_GE(headers_fd, 0);
  const std::string half_headers = "POST /eventbridge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-";
  ASSERT_EQ(::send(headers_fd, half_headers.data(), half_headers.size(), 0),
            static_cast<ssize_t>(half_headers.size()));
  // All the headers and half the body, then nothing.
  int body_fd = connectRaw(port());
  ASSERT_GE(body_fd, 0);
  const std::string half_body = std::string("POST /eventbridge HTTP/1.1\r\nHost: 127.0.0.1\r\n") +
                                "x-api-key: " + kApiKey +
                                "\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
                                "{\"detail-type\":";
  ASSERT_EQ(::send(body_fd, half_body.data(), half_body.size(), 0),
            static_cast<ssize_t>(half_body.size()));

  // While both stall, others are served at once.
  auto t0 = Steady::now();
  EXPECT_EQ(request(port(), "GET", "/healthz", "").status, 200);
  EXPECT_LT(Steady::now() - t0, std::chrono::milliseconds(250));

  // Each is closed once read_timeout_ms (300 ms) passes without a byte: not before, and not
  // seconds later (the library's keep-alive wait used to hold it for 5 s more).
  for (int fd : {headers_fd, body_fd}) {
    auto closed = waitForClose(fd, std::chrono::milliseconds(3000));
    ASSERT_TRUE(closed.has_value()) << "the stalled connection was never closed";
    auto since_open = Steady::now() - opened;
    EXPECT_GE(since_open, std::chrono::milliseconds(250)) << "closed before the timeout";
    EXPECT_LT(since_open, std::chrono::milliseconds(1500)) << "closed long after the timeout";
    ::close(fd);
  }
  // The half request was answered 400 before the close, and counted.
  EXPECT_EQ(health_->snapshot().bad_objects, 2u);
  EXPECT_EQ(postEventBridge(port(), honeyEvent().dump()).status, 200);
  EXPECT_EQ(triggers().size(), 1u);
}

TEST_F(PushLimitsTest, UnknownPathsAndMethods) {
  start();
  Reply unknown = request(port(), "POST", "/nope", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.detail(), "HTTP 404");
  Reply get = request(port(), "GET", "/eventbridge", "");
  EXPECT_TRUE(get.status == 404 || get.status == 405) << get.status;
  Reply get_sns = request(port(), "GET", "/sns", "");
  EXPECT_TRUE(get_sns.status == 404 || get_sns.status == 405) << get_sns.status;
  EXPECT_EQ(health_->snapshot().bad_objects, 3u);
  Reply health = request(port(), "GET", "/healthz", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(health_->snapshot().bad_objects, 3u);
}

TEST_F(PushLimitsTest, FiftyConcurrentRequestsAreAllAnswered) {
  start();
  constexpr int kRequests = 50;
  std::vector<int> statuses(kRequests, -1);
  std::vector<std::string> bodies(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      Reply r = postEventBridge(port(), honeyEvent(i + 1).dump());
      statuses[i] = r.status;
      bodies[i] = r.body;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kRequests; ++i)
    EXPECT_EQ(statuses[i], 200) << "request " << i << ": " << bodies[i];
  EXPECT_EQ(triggers().size(), static_cast<size_t>(kRequests));
  EXPECT_EQ(health_->snapshot().objects, static_cast<uint64_t>(kRequests));
  EXPECT_EQ(health_->snapshot().triggers, static_cast<uint64_t>(kRequests));
}

TEST_F(PushLimitsTest, StopIsPromptAndClosesThePort) {
  start();
  EXPECT_EQ(postEventBridge(port(), honeyEvent().dump()).status, 200);
  int p = port();
  auto t0 = Steady::now();
  server_->stop();
  EXPECT_LT(Steady::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(connectRaw(p), -1) << "the port still accepts connections";
  server_->stop();  // twice is harmless
}

TEST_F(PushLimitsTest, StopIsPromptWithAnIdleKeepAliveConnection) {
  start();
  // EventBridge and SNS keep connections open between deliveries.
  httplib::Client keep("127.0.0.1", port());
  keep.set_keep_alive(true);
  auto r =
      keep.Post("/eventbridge", {{"x-api-key", kApiKey}}, honeyEvent().dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  int p = port();
  auto t0 = Steady::now();
  server_->stop();
  EXPECT_LT(Steady::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(connectRaw(p), -1);
}

// stop() straight after start() (a later start-up step failed) used to be lost when the
// listening thread had not started yet: the thread then listened for ever and stop() hung in join.
TEST_F(PushLimitsTest, StopRightAfterStartNeverHangs) {
  verifier({}, kNow);
  for (int i = 0; i < 50; ++i) {
    auto s = std::make_unique<PushServer>(options_, creds_, *pipeline_, nullptr, *sns_, *health_,
                                          SystemClock::instance(), nullptr);
    ASSERT_TRUE(s->start().isOk());
    int p = s->port();
    std::promise<void> done;
    std::thread watchdog([i, stopped = done.get_future()] {
      if (stopped.wait_for(std::chrono::seconds(3)) != std::future_status::ready) {
        // The server thread listens for ever and nothing can stop it: end here rather than
        // hang the whole test binary.
        std::fprintf(stderr, "stop() right after start() hung (round %d)\n", i);
        std::_Exit(1);
      }
    });
    s->stop();
    done.set_value();
    watchdog.join();
    EXPECT_EQ(connectRaw(p), -1) << "round " << i;
  }
}

TEST_F(PushLimitsTest, BadListenAddressIsAnError) {
  for (const char* listen : {"nonsense", "127.0.0.1:notaport", "127.0.0.1:"}) {
    options_.listen = listen;
    verifier({}, kNow);
    PushServer s(options_, creds_, *pipeline_, nullptr, *sns_, *health_, SystemClock::instance(),
                 nullptr);
    Status st = Status::ok();
    EXPECT_NO_THROW(st = s.start()) << listen;
    EXPECT_FALSE(st.isOk()) << listen;
  }
  // A port in use.
  options_.listen = "127.0.0.1:0";
  start();
  options_.listen = "127.0.0.1:" + std::to_string(port());
  PushServer second(options_, creds_, *pipeline_, nullptr, *sns_, *health_, SystemClock::instance(),
                    nullptr);
  Status st = second.start();
  EXPECT_FALSE(st.isOk());
  EXPECT_EQ(request(port(), "GET", "/healthz", "").status, 200);
}

// ---------------------------------------------------------------------------------------------
// SNS with the real AWS-signed messages

using PushSnsRealTest = PushTest;

TEST_F(PushSnsRealTest, RealMessagesVerifyThenFailAsNotices) {
  json rizen = json::parse(test::readText(kRizenDir + "/notification_2015-02-20.json"));
  test::writeText(dir_.file(snsCertCacheName(certUrlOf(rizen))), test::readText(kRizenPem));
  verifier({rizen["TopicArn"].get<std::string>()}, kRizenTime);
  start();
  Reply r = request(port(), "POST", "/sns", rizen.dump());
  // 400, not 403: the signature verified, and "test message" is no notice.
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.detail().find("message body: not JSON"), std::string::npos) << r.detail();
  live::SourceHealth h = health_->snapshot();
  EXPECT_EQ(h.bad_objects, 1u);
  EXPECT_NE(h.last_error.find("sns message a890c547-5d98-55e2-971d-8826fff56413"),
            std::string::npos)
      << h.last_error;
}

TEST_F(PushSnsRealTest, AllPhpMessagesVerify) {
  std::vector<json> messages = loadArray(kPhpDir + "/http_notifications.json");
  for (const json& m : loadArray(kPhpDir + "/lambda_style_notifications.json"))
    messages.push_back(m);
  ASSERT_EQ(messages.size(), 10u);
  std::vector<std::string> topics;
  for (const json& m : messages) topics.push_back(m["TopicArn"].get<std::string>());
  test::writeText(dir_.file(snsCertCacheName(certUrlOf(messages[0]))), test::readText(kPhpPem));
  verifier(topics, kPhpTime);
  start();
  for (const json& m : messages) {
    Reply r = request(port(), "POST", "/sns", m.dump());
    EXPECT_EQ(r.status, 400) << m["MessageId"] << ": " << r.body;
    EXPECT_NE(r.detail().find("message body"), std::string::npos) << r.detail();
  }
  EXPECT_EQ(health_->snapshot().bad_objects, messages.size());
  EXPECT_EQ(sns_->fetches(), 0u);
}

TEST_F(PushSnsRealTest, TamperedWrongTopicAndWrongHostAre403) {
  json rizen = json::parse(test::readText(kRizenDir + "/notification_2015-02-20.json"));
  const std::string url = certUrlOf(rizen);
  test::writeText(dir_.file(snsCertCacheName(url)), test::readText(kRizenPem));
  verifier({rizen["TopicArn"].get<std::string>()}, kRizenTime);
  start();

  Reply tampered = request(port(), "POST", "/sns",
                           test::readText(kRizenDir + "/notification_2015-02-20_TAMPERED.json"));
  EXPECT_EQ(tampered.status, 403) << tampered.body;
  EXPECT_EQ(health_->snapshot().bad_objects, 1u);

  // The certificate seeded under the foreign host's cache name too, so that only the host check
  // stands between the message and acceptance.
  json foreign = rizen;
  foreign["SigningCertURL"] =
      "https://sns.us-east-1.amazonaws.com.evil.example/"
      "SimpleNotificationService-d6d679a1d18e95c2f9ffcf11f4f9e198.pem";
  test::writeText(dir_.file(snsCertCacheName(foreign["SigningCertURL"].get<std::string>())),
                  test::readText(kRizenPem));
  Reply host = request(port(), "POST", "/sns", foreign.dump());
  EXPECT_EQ(host.status, 403) << host.body;
  EXPECT_NE(host.detail().find("SigningCertURL"), std::string::npos) << host.detail();
  EXPECT_EQ(health_->snapshot().bad_objects, 2u);

  // The same real message against an allow-list without its topic.
  server_->stop();
  verifier({"arn:aws:sns:us-east-1:041977924901:bar"}, kRizenTime);
  start();
  Reply topic = request(port(), "POST", "/sns", rizen.dump());
  EXPECT_EQ(topic.status, 403) << topic.body;
  EXPECT_NE(topic.detail().find("topic not configured"), std::string::npos) << topic.detail();
  EXPECT_EQ(health_->snapshot().bad_objects, 3u);

  Reply junk = request(port(), "POST", "/sns", "not an SNS message");
  EXPECT_EQ(junk.status, 400) << junk.body;
  EXPECT_EQ(health_->snapshot().bad_objects, 4u);
  EXPECT_TRUE(triggers().empty());
}

// ---------------------------------------------------------------------------------------------
// SNS with messages signed here

using PushSnsSignedTest = PushTest;

TEST_F(PushSnsSignedTest, EventBridgeNoticeBecomesTrigger) {
  selfSignedVerifier();
  start(nullptr, {kTestHost});
  Reply r = request(port(), "POST", "/sns", signedNotification(honeyEvent().dump()));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.detail(), "1 new trigger(s)");
  auto t = triggers();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].token_id, token_id_);
  EXPECT_EQ(t[0].event_name, "AddTags");
  EXPECT_EQ(health_->snapshot().triggers, 1u);
  EXPECT_EQ(health_->snapshot().last_object, "sns:n-1");

  // A changed message is refused.
  json changed = json::parse(signedNotification(honeyEvent().dump()));
  changed["Message"] = honeyEvent(7).dump();
  EXPECT_EQ(request(port(), "POST", "/sns", changed.dump()).status, 403);
  EXPECT_EQ(triggers().size(), 1u);
}

// The push contract (push_server.h): a delivery becomes records or a counted 4xx. Through SNS
// an EventBridge event that holds no CloudTrail record used to be a 200 counted as new data, so
// a rule forwarding the wrong events made the source look alive.
TEST_F(PushSnsSignedTest, EventBridgeNoticeWithoutCloudTrailIs400) {
  selfSignedVerifier();
  start(nullptr, {kTestHost});
  Reply r =
      request(port(), "POST", "/sns",
              signedNotification(test::readText(kEventBridgeDir + "/event-instance-state.json")));
  EXPECT_EQ(r.status, 400) << r.body;
  live::SourceHealth h = health_->snapshot();
  EXPECT_EQ(h.bad_objects, 1u);
  EXPECT_FALSE(h.last_data_at.has_value());
  EXPECT_EQ(h.objects, 0u);
  EXPECT_TRUE(triggers().empty());
}

// A scheduled rule aimed at the topic is a heartbeat, as it is on /eventbridge.
TEST_F(PushSnsSignedTest, ScheduledEventNoticeIsHeartbeat) {
  selfSignedVerifier();
  start(nullptr, {kTestHost});
  Reply r = request(port(), "POST", "/sns",
                    signedNotification(test::readText(kEventBridgeDir + "/event-scheduled.json")));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.detail(), "heartbeat");
  live::SourceHealth h = health_->snapshot();
  EXPECT_TRUE(h.last_data_at.has_value());
  EXPECT_EQ(h.bad_objects, 0u);
}

TEST_F(PushSnsSignedTest, CloudTrailNoticeWithoutReaderIs503) {
  selfSignedVerifier();
  start(nullptr, {kTestHost});
  Reply r = request(port(), "POST", "/sns",
                    signedNotification(R"({"s3Bucket":"b","s3ObjectKey":["k"]})"));
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(health_->snapshot().errors, 1u);
  EXPECT_TRUE(triggers().empty());
}

TEST_F(PushSnsSignedTest, SubscriptionConfirmationVisitsTheUrlOnce) {
  selfSignedVerifier();
  start(nullptr, {kTestHost});
  const std::string url = "https://" + kTestHost +
                          "/?Action=ConfirmSubscription&TopicArn=" + kTestTopic + "&Token=token-1";
  Reply r = request(port(), "POST", "/sns", signedConfirmation(url));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.detail(), "subscription confirmed");
  EXPECT_EQ(visited(), std::vector<std::string>{url});
  EXPECT_TRUE(health_->snapshot().last_data_at.has_value());
}

TEST_F(PushSnsSignedTest, ConfirmationLeftToOperatorWhenOff) {
  options_.sns_confirm_subscriptions = false;
  selfSignedVerifier();
  start(nullptr, {kTestHost});
  Reply r = request(port(), "POST", "/sns",
                    signedConfirmation("https://" + kTestHost + "/?Action=ConfirmSubscription"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.detail(), "confirmation left to an operator");
  EXPECT_TRUE(visited().empty());
}

TEST_F(PushSnsSignedTest, ForeignSubscribeUrlIs403AndNotVisited) {
  selfSignedVerifier();
  start(nullptr, {kTestHost});
  for (const std::string url : {"https://evil.example/?Action=ConfirmSubscription",
                                "https://sns.honeytrail.test:9999/?Action=ConfirmSubscription",
                                "http://169.254.169.254/latest/meta-data/"}) {
    Reply r = request(port(), "POST", "/sns", signedConfirmation(url));
    EXPECT_EQ(r.status, 403) << url << ": " << r.body;
    EXPECT_NE(r.detail().find("SubscribeURL"), std::string::npos) << r.detail();
  }
  EXPECT_TRUE(visited().empty());
  EXPECT_EQ(health_->snapshot().bad_objects, 3u);
}

// ---------------------------------------------------------------------------------------------
// SNS CloudTrail notice, objects fetched from moto

// One emulator for the suite (starting moto takes a second or two), emptied before each test.
class PushSnsMotoTest : public PushTest {
 protected:
  static void SetUpTestSuite() { moto_ = new test::MotoServer(); }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(moto_->running()) << moto_->error();
    ASSERT_TRUE(moto_->reset());
    PushTest::SetUp();
    if (HasFatalFailure()) return;
    config::AwsOptions options;
    options.endpoint_url = moto_->endpoint();
    options.max_attempts = 2;
    const auto& env = test::fakeAwsEnv();
    auto session =
        aws::AwsSession::create(options, SystemClock::instance(), [&env](const std::string& name) {
          auto it = env.find(name);
          return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
        });
    ASSERT_TRUE(session.hasValue()) << session.status().toString();
    session_ = std::move(session).value();
  }

  test::RunResult aws(std::vector<std::string> args) {
    std::vector<std::string> argv = {test::awsCli(), "--endpoint-url", moto_->endpoint()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto env = test::fakeAwsEnv();
    env["HOME"] = home_.path();
    return test::run(argv, env);
  }

  static inline test::MotoServer* moto_ = nullptr;
  std::unique_ptr<aws::AwsSession> session_;
  std::unique_ptr<ObjectReader> reader_;  // outlives the server: TearDown stops it first
  test::TempDir home_;
};

TEST_F(PushSnsMotoTest, CloudTrailNoticeFetchesTheObject) {
  const std::string bucket = "ht-trail-bucket";
  const std::string key =
      "AWSLogs/123456789123/CloudTrail/us-east-1/2022/07/13/"
      "123456789123_CloudTrail_us-east-1_20220713T2010Z_push.json";
  // The record of the EventBridge event, as CloudTrail writes it to S3.
  json file = {{"Records", json::array({honeyEvent()["detail"]})}};
  test::writeText(home_.file("trail.json"), file.dump());
  auto made = aws({"s3api", "create-bucket", "--bucket", bucket});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto put = aws({"s3", "cp", home_.file("trail.json"), "s3://" + bucket + "/" + key});
  ASSERT_EQ(put.exit_code, 0) << put.err;

  reader_ =
      std::make_unique<ObjectReader>(session_->s3(), *pipeline_, *store_, SystemClock::instance());
  selfSignedVerifier();
  start(reader_.get(), {kTestHost});
  if (HasFatalFailure()) return;
  json notice = {{"s3Bucket", bucket}, {"s3ObjectKey", json::array({key})}};
  Reply r = request(port(), "POST", "/sns", signedNotification(notice.dump(), "n-ct"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.detail(), "1 object(s) read");
  auto t = triggers();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].token_id, token_id_);
  EXPECT_EQ(t[0].event_id, "e9f72371-5fc5-48fc-999d-462e13fdc6bd");
  EXPECT_EQ(t[0].source, "s3://" + bucket + "/" + key);
  EXPECT_EQ(health_->snapshot().last_object, "s3://" + bucket + "/" + key);

  // SNS redelivers: the object is not read twice.
  r = request(port(), "POST", "/sns", signedNotification(notice.dump(), "n-ct"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(triggers().size(), 1u);
  EXPECT_EQ(health_->snapshot().objects, 1u);

  // A notice naming an object that is not there: SNS must retry (5xx), nothing stored.
  json missing = {{"s3Bucket", bucket}, {"s3ObjectKey", json::array({key + ".missing"})}};
  r = request(port(), "POST", "/sns", signedNotification(missing.dump(), "n-missing"));
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(triggers().size(), 1u);
}

}  // namespace
}  // namespace ht::live

namespace ht::live {
namespace {

// ---- credentials from the environment ---------------------------------------------------------

config::EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(PushCredentialsTest, ReadsWhatTheOptionsName) {
  config::PushSourceOptions o;
  o.eventbridge_api_key_header = "x-honeytrail-key";
  o.eventbridge_api_key_env = "HT_EB_KEY";
  o.eventbridge_basic_user = "eventbridge";
  o.eventbridge_basic_password_env = "HT_EB_PASSWORD";
  auto c = readPushCredentials(o, envOf({{"HT_EB_KEY", "k"}, {"HT_EB_PASSWORD", "p"}}));
  ASSERT_TRUE(c.hasValue()) << c.status().toString();
  EXPECT_EQ(c->api_key_header, "x-honeytrail-key");
  EXPECT_EQ(c->api_key, "k");
  EXPECT_EQ(c->basic_user, "eventbridge");
  EXPECT_EQ(c->basic_password, "p");
  // Nothing named: both kinds of auth off (the endpoint then refuses every EventBridge call).
  auto none = readPushCredentials(config::PushSourceOptions{}, envOf({}));
  ASSERT_TRUE(none.hasValue());
  EXPECT_EQ(none->api_key, "");
  EXPECT_EQ(none->basic_user, "");
}

TEST(PushCredentialsTest, ANamedVariableThatIsUnsetOrEmptyIsAnError) {
  config::PushSourceOptions o;
  o.eventbridge_api_key_env = "HT_EB_KEY";
  for (const auto& env : {envOf({}), envOf({{"HT_EB_KEY", ""}})}) {
    auto c = readPushCredentials(o, env);
    ASSERT_FALSE(c.hasValue());
    EXPECT_EQ(c.status().message(),
              "sources.push.eventbridge_api_key_env names $HT_EB_KEY, which is not set");
  }
  o = config::PushSourceOptions{};
  o.eventbridge_basic_user = "eventbridge";
  o.eventbridge_basic_password_env = "HT_EB_PASSWORD";
  auto c = readPushCredentials(o, envOf({}));
  ASSERT_FALSE(c.hasValue());
  EXPECT_EQ(c.status().message(),
            "sources.push.eventbridge_basic_user is set but the password variable "
            "($HT_EB_PASSWORD) is not");
  // A Config built in code, past validation: Basic auth never runs with an empty password.
  o.eventbridge_basic_password_env.clear();
  c = readPushCredentials(o, envOf({}));
  ASSERT_FALSE(c.hasValue());
  EXPECT_EQ(c.status().message(),
            "sources.push.eventbridge_basic_user is set but the password variable "
            "(eventbridge_basic_password_env) is not");
}

}  // namespace
}  // namespace ht::live
