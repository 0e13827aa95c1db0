// The alert dispatcher over a real SQLite file and real HTTP receivers on loopback: signed
// delivery, retries with Retry-After, per-incident order, dead letters, isolation of a slow
// output, private-address refusal and exactly-once delivery across a restart. Then
// Delivery::drain, which waits for retries on its clock (a test::ManualClock: no real waiting).
#include "alert/dispatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <mutex>

#include "alert/delivery.h"
#include "alert/outputs/webhook.h"
#include "config/options.h"
#include "core/strings.h"
#include "store/sqlite/sqlite_store.h"
#include "support/http_server.h"
#include "support/manual_clock.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::alert {
namespace {

using std::chrono::seconds;
using Server = test::ScriptedHttpServer;

TimePoint at(const char* text) { return *parseTime(text); }

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    openStore();
    tokens::SecretVault vault({}, dir_.path(), [](const std::string&) { return std::nullopt; });
    tokens::Registry registry(*store_, vault, config_, clock_, random_, "test@host");
    tokens::ImportOptions imp;
    imp.key_id = "AKIASP2TPHJSQH3FJRUX";
    auto t = registry.importKey(imp);
    ASSERT_TRUE(t.hasValue()) << t.status().toString();
    token_id_ = t->id;
    net::HttpOptions http;
    http.connect_timeout_ms = 2000;
    http.request_timeout_ms = 5000;
    transport_ = net::makeCurlTransport(http);
  }

  void openStore() {
    store_.reset();
    auto opened = store::openSqliteStore(dir_.file("ht.db"), config::SqliteOptions{});
    ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
    store_ = std::move(opened).value();
  }

  // Saves (or updates) incident `id` with one notification per output/kind pair; returns the
  // new outbox IDs.
  std::vector<int64_t> notify(const std::string& id,
                              const std::vector<std::pair<std::string, std::string>>& items) {
    incidents::Incident inc;
    inc.id = id;
    inc.token_id = token_id_;
    inc.state = incidents::IncidentState::kOpen;
    inc.severity = Severity::kHigh;
    inc.title = "test";
    inc.opened_at = inc.first_seen = inc.last_seen = inc.updated_at = clock_.now();
    inc.seen = "{}";
    std::vector<incidents::OutboxItem> n;
    for (const auto& [output, kind] : items) {
      incidents::OutboxItem o;
      o.output = output;
      o.kind = *incidents::parseAnnouncementKind(kind);
      o.body = "{\"incident\":\"" + id + "\",\"kind\":\"" + kind + "\"}";
      o.created_at = o.next_attempt_at = clock_.now();
      n.push_back(o);
    }
    auto before = outbox();
    EXPECT_TRUE(store_->saveIncident(inc, {}, {}, n).isOk());
    std::vector<int64_t> ids;
    for (const auto& o : outbox()) {
      bool old = std::any_of(before.begin(), before.end(), [&](auto& b) { return b.id == o.id; });
      if (!old) ids.push_back(o.id);
    }
    return ids;
  }

  std::vector<incidents::OutboxItem> outbox() {
    auto all = store_->listOutbox(std::nullopt);
    EXPECT_TRUE(all.hasValue());
    return all.hasValue() ? *all : std::vector<incidents::OutboxItem>{};
  }
  incidents::OutboxItem item(int64_t id) {
    for (const auto& o : outbox()) {
      if (o.id == id) return o;
    }
    ADD_FAILURE() << "no outbox item " << id;
    return {};
  }
  std::vector<std::string> timelineTexts(const std::string& incident) {
    auto tl = store_->incidentTimeline(incident);
    EXPECT_TRUE(tl.hasValue());
    std::vector<std::string> out;
    if (tl.hasValue()) {
      for (const auto& e : *tl) {
        if (e.kind == incidents::TimelineKind::kNotified) {
          EXPECT_EQ(e.actor, "honeytrail");
          out.push_back(e.text);
        }
      }
    }
    return out;
  }

  std::unique_ptr<Output> webhook(const std::string& url, const std::string& secret = "",
                                  bool allow_private = true) {
    WebhookOptions o;
    o.url = url;
    o.hmac_secret = secret;
    o.allow_private = allow_private;
    return makeWebhookOutput(o, *transport_);
  }

  DispatchReport run(Dispatcher& d) {
    auto r = d.runOnce();
    EXPECT_TRUE(r.hasValue()) << r.status().toString();
    return r.hasValue() ? *r : DispatchReport{};
  }

  test::TempDir dir_;
  config::Config config_;
  FixedClock clock_{at("2026-11-28T12:00:00Z")};
  SeededRandomSource random_{7};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<net::HttpTransport> transport_;
  std::string token_id_;
};

const std::string kInc = "inc-aaaaaaaaaa";
const std::string kInc2 = "inc-bbbbbbbbbb";

TEST_F(DispatchTest, DeliversSignedWithStableDeliveryIdAcrossRetry) {
  Server server;
  server.enqueue({503, {}, "busy"});
  server.enqueue({200, {}, "ok"});
  auto hook = webhook(server.url() + "/hook", "s3cret");
  Dispatcher d(*store_, clock_, random_, {{"hook", hook.get()}});
  auto ids = notify(kInc, {{"hook", "new"}});
  ASSERT_EQ(ids.size(), 1u);

  DispatchReport r1 = run(d);
  EXPECT_EQ(r1.retried, 1);
  incidents::OutboxItem pending = item(ids[0]);
  EXPECT_EQ(pending.state, incidents::OutboxState::kPending);
  EXPECT_EQ(pending.attempts, 1);
  EXPECT_GT(pending.next_attempt_at, clock_.now());
  EXPECT_LE(pending.next_attempt_at, clock_.now() + seconds(5));
  EXPECT_EQ(pending.last_error,
            "HTTP 503 from http://127.0.0.1:" + std::to_string(server.port()) + "/…");

  clock_.advance(seconds(5));
  DispatchReport r2 = run(d);
  EXPECT_EQ(r2.delivered, 1);
  incidents::OutboxItem sent = item(ids[0]);
  EXPECT_EQ(sent.state, incidents::OutboxState::kSent);
  EXPECT_EQ(sent.attempts, 2);
  ASSERT_TRUE(sent.sent_at.has_value());
  EXPECT_EQ(*sent.sent_at, clock_.now());

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (const auto& req : reqs) {
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.path(), "/hook");
    ASSERT_NE(req.header("X-Honeytrail-Delivery"), nullptr);
    EXPECT_EQ(*req.header("X-Honeytrail-Delivery"), std::to_string(ids[0]));
    ASSERT_NE(req.header("X-Honeytrail-Incident"), nullptr);
    EXPECT_EQ(*req.header("X-Honeytrail-Incident"), kInc);
    ASSERT_NE(req.header("Content-Type"), nullptr);
    EXPECT_EQ(*req.header("Content-Type"), "application/json");
    EXPECT_EQ(req.body, sent.body);
    // The signature, computed independently.
    test::RunResult mac =
        test::run({"openssl", "dgst", "-sha256", "-hmac", "s3cret"}, {}, req.body);
    ASSERT_EQ(mac.exit_code, 0) << mac.err;
    std::string hex = trim(mac.out.substr(mac.out.rfind(' ') + 1));
    ASSERT_EQ(hex.size(), 64u) << mac.out;
    ASSERT_NE(req.header("X-Honeytrail-Signature"), nullptr);
    EXPECT_EQ(*req.header("X-Honeytrail-Signature"), "sha256=" + hex);
  }
  EXPECT_EQ(timelineTexts(kInc), std::vector<std::string>{"sent to hook (new)"});
}

TEST_F(DispatchTest, NoSignatureWithoutSecret) {
  Server server;
  auto hook = webhook(server.url() + "/hook");
  server.enqueue({204, {}, ""});
  Dispatcher d(*store_, clock_, random_, {{"hook", hook.get()}});
  notify(kInc, {{"hook", "new"}});
  EXPECT_EQ(run(d).delivered, 1);
  ASSERT_EQ(server.requestCount(), 1u);
  EXPECT_EQ(server.requests()[0].header("X-Honeytrail-Signature"), nullptr);
}

TEST_F(DispatchTest, RetryAfterIsHonouredAndIncidentOrderKept) {
  Server server;
  server.enqueue({503, {{"Retry-After", "120"}}, "down"});
  server.setHandler([](const Server::Request&) { return Server::Response{200, {}, "ok"}; });
  auto hook = webhook(server.url() + "/hook");
  Dispatcher d(*store_, clock_, random_, {{"hook", hook.get()}});
  auto ids = notify(kInc, {{"hook", "new"}, {"hook", "escalation"}});
  ASSERT_EQ(ids.size(), 2u);

  DispatchReport r1 = run(d);
  EXPECT_EQ(r1.retried, 1);
  EXPECT_EQ(r1.delivered, 0);
  EXPECT_EQ(server.requestCount(), 1u);  // the second waits behind the first
  EXPECT_EQ(item(ids[0]).next_attempt_at, clock_.now() + seconds(120));
  EXPECT_EQ(item(ids[1]).attempts, 0);

  clock_.advance(seconds(119));
  DispatchReport r2 = run(d);
  EXPECT_EQ(r2.delivered + r2.retried + r2.dead, 0);
  EXPECT_EQ(server.requestCount(), 1u);  // not before Retry-After, and still in order

  clock_.advance(seconds(1));
  DispatchReport r3 = run(d);
  EXPECT_EQ(r3.delivered, 2);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(*reqs[1].header("X-Honeytrail-Delivery"), std::to_string(ids[0]));
  EXPECT_EQ(*reqs[2].header("X-Honeytrail-Delivery"), std::to_string(ids[1]));
  EXPECT_EQ(item(ids[0]).state, incidents::OutboxState::kSent);
  EXPECT_EQ(item(ids[1]).state, incidents::OutboxState::kSent);
  EXPECT_EQ(timelineTexts(kInc),
            (std::vector<std::string>{"sent to hook (new)", "sent to hook (escalation)"}));
}

TEST_F(DispatchTest, AlwaysFailingGoesDeadAfterMaxAgeWithoutLeakingThePath) {
  Server server([](const Server::Request&) { return Server::Response{500, {}, "broken"}; });
  std::string url = server.url() + "/services/T0K3NPATH?token=s3cr3tq";
  auto hook = webhook(url);
  RetryPolicy policy;
  policy.first_delay = seconds(60);
  policy.max_delay = seconds(600);
  policy.max_age = std::chrono::hours(1);
  Dispatcher d(*store_, clock_, random_, {{"hook", hook.get()}}, policy);
  auto ids = notify(kInc, {{"hook", "new"}});
  const TimePoint created = clock_.now();

  int dead = 0;
  for (int i = 0; i < 50 && dead == 0; ++i) {
    DispatchReport r = run(d);
    dead = r.dead;
    if (dead == 0) {
      incidents::OutboxItem o = item(ids[0]);
      ASSERT_EQ(o.state, incidents::OutboxState::kPending);
      EXPECT_LE(o.next_attempt_at - clock_.now(), seconds(600));
      clock_.set(o.next_attempt_at);
    }
  }
  ASSERT_EQ(dead, 1);
  incidents::OutboxItem o = item(ids[0]);
  EXPECT_EQ(o.state, incidents::OutboxState::kDead);
  EXPECT_GT(clock_.now() - created, std::chrono::hours(1));
  EXPECT_GT(o.attempts, 2);
  EXPECT_EQ(static_cast<size_t>(o.attempts), server.requestCount());
  std::string err = "HTTP 500 from http://127.0.0.1:" + std::to_string(server.port()) + "/…";
  EXPECT_EQ(o.last_error, err);
  auto texts = timelineTexts(kInc);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0], "gave up on hook after " + std::to_string(o.attempts) + " attempts: " + err);
  EXPECT_EQ(texts[0].find("T0K3N"), std::string::npos);
  EXPECT_EQ(texts[0].find("s3cr3tq"), std::string::npos);

  // Dead items are not attempted again.
  clock_.advance(std::chrono::hours(2));
  EXPECT_EQ(run(d).dead, 0);
  EXPECT_EQ(static_cast<size_t>(o.attempts), server.requestCount());
}

TEST_F(DispatchTest, TransportErrorsDoNotShowThePath) {
  std::string url;
  {
    Server gone;
    url = gone.url() + "/services/T0K3NPATH?token=s3cr3tq";
  }
  auto hook = webhook(url);
  incidents::OutboxItem o;
  o.id = 9;
  o.incident_id = kInc;
  o.body = "{}";
  DeliveryResult r = hook->deliver(o);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.error.find("T0K3N"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("s3cr3tq"), std::string::npos) << r.error;
}

TEST_F(DispatchTest, BadRequestIsDeadAtOnce) {
  Server server;
  server.enqueue({400, {}, "bad payload"});
  auto hook = webhook(server.url() + "/hook");
  Dispatcher d(*store_, clock_, random_, {{"hook", hook.get()}});
  auto ids = notify(kInc, {{"hook", "new"}});
  DispatchReport r = run(d);
  EXPECT_EQ(r.dead, 1);
  incidents::OutboxItem o = item(ids[0]);
  EXPECT_EQ(o.state, incidents::OutboxState::kDead);
  EXPECT_EQ(o.attempts, 1);
  auto texts = timelineTexts(kInc);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_EQ(texts[0], "gave up on hook after 1 attempt: HTTP 400 from http://127.0.0.1:" +
                          std::to_string(server.port()) + "/…");
  clock_.advance(std::chrono::hours(1));
  run(d);
  EXPECT_EQ(server.requestCount(), 1u);
}

TEST_F(DispatchTest, StatusClassification) {
  Server server;
  auto hook = webhook(server.url() + "/hook");
  incidents::OutboxItem o;
  o.id = 1;
  o.incident_id = kInc;
  struct Case {
    int status;
    bool ok;
    bool retryable;
  };
  for (Case c : {Case{200, true, true}, Case{202, true, true}, Case{408, false, true},
                 Case{429, false, true}, Case{500, false, true}, Case{502, false, true},
                 Case{400, false, false}, Case{401, false, false}, Case{404, false, false},
                 Case{410, false, false}}) {
    server.enqueue({c.status, {}, ""});
    DeliveryResult r = hook->deliver(o);
    EXPECT_EQ(r.http_status, c.status);
    EXPECT_EQ(r.ok, c.ok) << c.status;
    if (!c.ok) {
      EXPECT_EQ(r.retryable, c.retryable) << c.status;
    }
  }
  server.enqueue({429, {{"Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"}}, ""});
  DeliveryResult r = hook->deliver(o);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, seconds(60));
  server.enqueue({429, {{"Retry-After", "7"}}, ""});
  r = hook->deliver(o);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, seconds(7));
}

TEST_F(DispatchTest, SlowOutputDoesNotDelayAnother) {
  net::HttpOptions short_timeout;
  short_timeout.connect_timeout_ms = 1000;
  short_timeout.request_timeout_ms = 2000;
  auto slow_transport = net::makeCurlTransport(short_timeout);
  Server slow;
  Server::Response hang;
  hang.hang = true;
  slow.enqueue(hang);
  using Steady = std::chrono::steady_clock;
  std::mutex mu;
  std::optional<Steady::time_point> fast_seen;
  Server fast([&](const Server::Request&) {
    std::lock_guard lock(mu);
    fast_seen = Steady::now();
    return Server::Response{200, {}, "ok"};
  });
  WebhookOptions so;
  so.url = slow.url() + "/slow";
  so.allow_private = true;
  auto slow_hook = makeWebhookOutput(so, *slow_transport);
  auto fast_hook = webhook(fast.url() + "/fast");
  // "a-slow" sorts first, so it would be served first if outputs ran in turn.
  Dispatcher d(*store_, clock_, random_,
               {{"a-slow", slow_hook.get()}, {"b-fast", fast_hook.get()}});
  auto ids = notify(kInc, {{"a-slow", "new"}});
  auto ids2 = notify(kInc2, {{"b-fast", "new"}});

  Steady::time_point start = Steady::now();
  DispatchReport r = run(d);
  Steady::time_point end = Steady::now();
  EXPECT_EQ(r.delivered, 1);
  EXPECT_EQ(r.retried, 1);
  EXPECT_GE(end - start, std::chrono::milliseconds(1500));  // the slow one did time out
  std::lock_guard lock(mu);
  ASSERT_TRUE(fast_seen.has_value());
  EXPECT_LT(*fast_seen - start, std::chrono::milliseconds(1000));
  EXPECT_EQ(item(ids2[0]).state, incidents::OutboxState::kSent);
  incidents::OutboxItem s = item(ids[0]);
  EXPECT_EQ(s.state, incidents::OutboxState::kPending);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_NE(s.last_error.find("127.0.0.1"), std::string::npos) << s.last_error;
}

TEST_F(DispatchTest, UnknownOutputIsDead) {
  Dispatcher d(*store_, clock_, random_, {});
  auto ids = notify(kInc, {{"gone", "new"}});
  DispatchReport r = run(d);
  EXPECT_EQ(r.unknown_output, 1);
  incidents::OutboxItem o = item(ids[0]);
  EXPECT_EQ(o.state, incidents::OutboxState::kDead);
  EXPECT_EQ(o.last_error, "output gone is not configured");
  auto texts = timelineTexts(kInc);
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_NE(texts[0].find("output gone is not configured"), std::string::npos);
}

TEST_F(DispatchTest, PrivateTargetsAreRefusedUnlessAllowed) {
  Server server;
  auto hook = webhook(server.url() + "/hook", "", /*allow_private=*/false);
  Dispatcher d(*store_, clock_, random_, {{"hook", hook.get()}});
  auto ids = notify(kInc, {{"hook", "new"}});
  DispatchReport r = run(d);
  EXPECT_EQ(r.dead, 1);
  EXPECT_EQ(server.requestCount(), 0u);
  incidents::OutboxItem o = item(ids[0]);
  EXPECT_EQ(o.state, incidents::OutboxState::kDead);
  EXPECT_NE(o.last_error.find("loopback"), std::string::npos) << o.last_error;

  incidents::OutboxItem probe;
  probe.id = 1;
  probe.incident_id = kInc;
  for (const char* url :
       {"http://10.1.2.3/hook?t=x", "http://[::1]:8080/hook", "https://user:pw@192.168.1.1/x",
        "http://localhost:9/x", "http://169.254.169.254/latest/meta-data/"}) {
    DeliveryResult d2 = webhook(url, "", false)->deliver(probe);
    EXPECT_FALSE(d2.ok) << url;
    EXPECT_FALSE(d2.retryable) << url;
    EXPECT_NE(d2.error.find("refusing"), std::string::npos) << d2.error;
    EXPECT_EQ(d2.error.find("hook"), std::string::npos) << d2.error;
    EXPECT_EQ(d2.error.find("pw"), std::string::npos) << d2.error;
  }
}

TEST(DispatchPrivateAddress, Table) {
  for (const char* host : {"127.0.0.1",
                           "127.8.9.1",
                           "10.0.0.1",
                           "10.255.255.255",
                           "172.16.0.1",
                           "172.31.255.1",
                           "192.168.0.1",
                           "169.254.169.254",
                           "100.64.0.1",
                           "100.127.255.255",
                           "0.0.0.0",
                           "0.1.2.3",
                           "::1",
                           "[::1]",
                           "::",
                           "fc00::1",
                           "fd12:3456::1",
                           "fe80::1",
                           "febf::1",
                           "::ffff:10.0.0.1",
                           "::ffff:127.0.0.1",
                           "::ffff:192.168.1.1",
                           "localhost"}) {
    EXPECT_NE(privateAddressReason(host), "") << host;
  }
  for (const char* host : {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "192.169.0.1",
                           "100.63.255.255", "100.128.0.1", "169.253.1.1", "11.0.0.1",
                           "2001:4860:4860::8888", "fec0::1", "::ffff:8.8.8.8", "[2606:4700::1]"}) {
    EXPECT_EQ(privateAddressReason(host), "") << host;
  }
  EXPECT_NE(privateAddressReason("127.0.0.1").find("loopback"), std::string::npos);
}

TEST_F(DispatchTest, RestartDeliversEachExactlyOnce) {
  std::mutex mu;
  std::map<std::string, int> accepted;  // delivery ID -> 2xx answers
  std::atomic<bool> healthy{false};
  Server server([&](const Server::Request& req) {
    const std::string* id = req.header("X-Honeytrail-Delivery");
    std::lock_guard lock(mu);
    // Before the "crash" only the first delivery gets through.
    if (!healthy && (id == nullptr || !accepted.empty())) return Server::Response{503, {}, "busy"};
    if (id != nullptr) ++accepted[*id];
    return Server::Response{200, {}, "ok"};
  });
  std::vector<int64_t> ids = notify(kInc, {{"hook", "new"}, {"hook", "escalation"}});
  auto more = notify(kInc2, {{"hook", "new"}});
  ids.insert(ids.end(), more.begin(), more.end());
  ASSERT_EQ(ids.size(), 3u);
  {
    auto hook = webhook(server.url() + "/hook");
    Dispatcher d(*store_, clock_, random_, {{"hook", hook.get()}});
    DispatchReport r = run(d);
    EXPECT_EQ(r.delivered, 1);
    EXPECT_EQ(r.retried, 2);
  }
  // The "crash": everything in memory is gone; only the database file remains.
  openStore();
  healthy = true;
  auto hook = webhook(server.url() + "/hook");
  Dispatcher d(*store_, clock_, random_, {{"hook", hook.get()}});
  for (int i = 0; i < 10; ++i) {
    clock_.advance(seconds(60));
    run(d);
  }
  for (int64_t id : ids) EXPECT_EQ(item(id).state, incidents::OutboxState::kSent) << id;
  std::lock_guard lock(mu);
  EXPECT_EQ(accepted.size(), 3u);
  for (const auto& [id, n] : accepted) EXPECT_EQ(n, 1) << id;
}

// ---- Delivery::drain ----

class DeliveryDrainTest : public DispatchTest {
 protected:
  // A delivery with one webhook output, "hook", pointed at `server`, waiting on `clock`.
  std::unique_ptr<Delivery> delivery(const Server& server, const Clock& clock) {
    config::AlertsOptions options;
    config::OutputOptions o;
    o.name = "hook";
    o.type = "webhook";
    o.url = server.url() + "/hook";
    o.allow_private = true;
    o.timeout_ms = 5000;
    options.outputs.push_back(o);
    auto d = Delivery::create(*store_, clock, options,
                              [](const std::string&) -> std::optional<std::string> { return {}; });
    EXPECT_TRUE(d.hasValue()) << d.status().toString();
    return d.hasValue() ? std::move(d).value() : nullptr;
  }
  DrainSummary drain(Delivery& d, std::chrono::milliseconds limit, std::stop_token stop = {}) {
    auto r = d.drain(limit, std::move(stop));
    EXPECT_TRUE(r.hasValue()) << r.status().toString();
    return r.hasValue() ? *r : DrainSummary{};
  }

  // Starts where the fixture's FixedClock (which dates the notifications) stands.
  test::ManualClock manual_{at("2026-11-28T12:00:00Z")};
};

// A retry due within the limit is waited for on the clock and delivered: two minutes of
// Retry-After pass in no real time.
TEST_F(DeliveryDrainTest, WaitsOnTheClockForARetryDueWithinTheLimit) {
  Server server;
  server.enqueue({503, {{"Retry-After", "120"}}, "down"});
  server.enqueue({200, {}, "ok"});
  auto d = delivery(server, manual_);
  ASSERT_TRUE(d);
  auto ids = notify(kInc, {{"hook", "new"}});
  ASSERT_EQ(ids.size(), 1u);

  const auto real0 = std::chrono::steady_clock::now();
  DrainSummary s = drain(*d, std::chrono::minutes(5));
  EXPECT_LT(std::chrono::steady_clock::now() - real0, seconds(60)) << "waited in real time";
  EXPECT_EQ(s.totals.retried, 1);
  EXPECT_EQ(s.totals.delivered, 1);
  EXPECT_EQ(s.still_pending, 0u);
  EXPECT_EQ(manual_.waits(), (std::vector<std::chrono::nanoseconds>{seconds(120)}));
  EXPECT_EQ(server.requestCount(), 2u);
  incidents::OutboxItem sent = item(ids[0]);
  EXPECT_EQ(sent.state, incidents::OutboxState::kSent);
  ASSERT_TRUE(sent.sent_at.has_value());
  EXPECT_EQ(*sent.sent_at, at("2026-11-28T12:02:00Z"));
}

// A retry due after the limit is left for serve or `alert flush`, and drain does not wait for it.
TEST_F(DeliveryDrainTest, LeavesARetryDueAfterTheLimitPendingWithoutWaiting) {
  Server server;
  server.enqueue({503, {{"Retry-After", "120"}}, "down"});
  auto d = delivery(server, manual_);
  ASSERT_TRUE(d);
  auto ids = notify(kInc, {{"hook", "new"}});
  ASSERT_EQ(ids.size(), 1u);

  DrainSummary s = drain(*d, std::chrono::minutes(1));
  EXPECT_EQ(s.totals.retried, 1);
  EXPECT_EQ(s.totals.delivered, 0);
  EXPECT_EQ(s.still_pending, 1u);
  EXPECT_TRUE(manual_.waits().empty());
  EXPECT_EQ(server.requestCount(), 1u);
  EXPECT_EQ(item(ids[0]).next_attempt_at, at("2026-11-28T12:02:00Z"));
}

// A date that stands still while waits take real time, and that says when a wait has begun.
class SignallingClock final : public Clock {
 public:
  explicit SignallingClock(TimePoint date) : date_(date) {}
  TimePoint now() const override { return date_.now(); }
  SteadyTime steadyNow() const override { return date_.steadyNow(); }
  bool waitFor(std::chrono::nanoseconds d, std::stop_token stop) const override {
    std::call_once(once_, [this] { waiting_.set_value(); });
    return date_.waitFor(d, std::move(stop));
  }
  std::future<void> waiting() { return waiting_.get_future(); }

 private:
  FixedClock date_;
  mutable std::once_flag once_;
  mutable std::promise<void> waiting_;
};

// A stop ends a drain's wait at once instead of after the two minutes it was waiting out.
TEST_F(DeliveryDrainTest, AStopEndsTheWaitAtOnce) {
  Server server;
  server.enqueue({503, {{"Retry-After", "120"}}, "down"});
  SignallingClock clock(at("2026-11-28T12:00:00Z"));
  auto d = delivery(server, clock);
  ASSERT_TRUE(d);
  notify(kInc, {{"hook", "new"}});

  std::stop_source stop;
  std::future<void> waiting = clock.waiting();
  auto drained = std::async(std::launch::async,
                            [&] { return drain(*d, std::chrono::minutes(5), stop.get_token()); });
  ASSERT_EQ(waiting.wait_for(seconds(30)), std::future_status::ready) << "drain never waited";
  const auto t0 = std::chrono::steady_clock::now();
  stop.request_stop();
  ASSERT_EQ(drained.wait_for(seconds(30)), std::future_status::ready) << "the stop was not seen";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(30));
  DrainSummary s = drained.get();
  EXPECT_EQ(s.totals.retried, 1);
  EXPECT_EQ(s.still_pending, 1u);
  EXPECT_EQ(server.requestCount(), 1u);
}

TEST(DispatchNextDelay, StaysWithinJitterBoundsAndHonoursRetryAfter) {
  SeededRandomSource random(42);
  RetryPolicy policy;  // 5 s, doubling, capped at 900 s
  for (int attempts = 1; attempts <= 20; ++attempts) {
    int64_t full = 5;
    for (int i = 1; i < attempts; ++i) full = std::min<int64_t>(full * 2, 900);
    int64_t lo = full, hi = 0;
    for (int i = 0; i < 2000; ++i) {
      int64_t d = nextDelay(policy, attempts, std::nullopt, random).count();
      ASSERT_GE(d, full / 2) << attempts;
      ASSERT_LE(d, full) << attempts;
      ASSERT_LE(d, 900);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    EXPECT_EQ(lo, full / 2) << attempts;  // the whole range is used
    EXPECT_EQ(hi, full) << attempts;
  }
  EXPECT_EQ(nextDelay(policy, 1, seconds(120), random), seconds(120));
  EXPECT_EQ(nextDelay(policy, 30, seconds(3600), random), seconds(3600));  // beyond max_delay
  for (int i = 0; i < 100; ++i) {
    seconds d = nextDelay(policy, 10, seconds(1), random);  // smaller Retry-After: backoff wins
    EXPECT_GE(d, seconds(450));
    EXPECT_LE(d, seconds(900));
  }
}

}  // namespace
}  // namespace ht::alert
