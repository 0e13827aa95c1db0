#include "app/serve.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "net/http.h"
#include "core/files.h"
#include "core/log.h"
#include "live/pipeline.h"
#include "live/push_server.h"
#include "live/service.h"
#include "live/sns.h"
#include "live/sources.h"

namespace ht::app {
namespace {

using nlohmann::json;

std::string sqsName(const std::string& queue_url) {
  size_t slash = queue_url.rfind('/');
  return "sqs:" + (slash == std::string::npos ? queue_url : queue_url.substr(slash + 1));
}

// The sources the config turns on, as (name, kind).
std::vector<std::pair<std::string, std::string>> configuredSources(const config::Config& c) {
  std::vector<std::pair<std::string, std::string>> out;
  if (c.sources.s3.enabled) out.emplace_back("s3:" + c.sources.s3.bucket, "s3");
  if (c.sources.sqs.enabled) out.emplace_back(sqsName(c.sources.sqs.queue_url), "sqs");
  if (c.sources.push.enabled) out.emplace_back("push", "push");
  if (c.sources.last_used) out.emplace_back("last-used", "last-used");
  return out;
}

std::optional<std::string> envValue(const std::string& name) {
  if (name.empty()) return std::nullopt;
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

Status checkConfig(const config::Config& c) {
  if (configuredSources(c).empty()) {
    return Status::invalidArgument(
        "no source is enabled: set sources.s3.enabled, sources.sqs.enabled, "
        "sources.push.enabled or sources.last_used in the config (see "
        "docs/honeytrail.example.yaml)");
  }
  if (c.sources.s3.enabled && c.sources.s3.bucket.empty())
    return Status::invalidArgument("sources.s3.enabled is set but sources.s3.bucket is empty");
  if (c.sources.sqs.enabled && c.sources.sqs.queue_url.empty())
    return Status::invalidArgument("sources.sqs.enabled is set but sources.sqs.queue_url is empty");
  const auto& p = c.sources.push;
  if (p.enabled) {
    if (!p.eventbridge_api_key_env.empty() && !envValue(p.eventbridge_api_key_env))
      return Status::invalidArgument("sources.push.eventbridge_api_key_env names $" +
                                     p.eventbridge_api_key_env + ", which is not set");
    if (!p.eventbridge_basic_user.empty() && !envValue(p.eventbridge_basic_password_env))
      return Status::invalidArgument(
          "sources.push.eventbridge_basic_user is set but the password variable (" +
          (p.eventbridge_basic_password_env.empty() ? std::string("eventbridge_basic_password_env")
                                                    : "$" + p.eventbridge_basic_password_env) +
          ") is not");
  }
  return Status::ok();
}

}  // namespace

Status runServe(Context& ctx, const std::atomic<bool>& stop) {
  const config::Config& cfg = ctx.config();
  HT_RETURN_IF_ERROR(checkConfig(cfg));
  const Clock& clock = SystemClock::instance();

  // Everything the steps build lives here, destroyed after the service has stopped them.
  live::Pipeline* pipeline = nullptr;
  std::vector<std::unique_ptr<aws::AwsSession>> sessions;
  std::vector<std::unique_ptr<live::HealthTracker>> trackers;
  std::vector<std::unique_ptr<live::ObjectReader>> readers;
  std::unique_ptr<live::S3Source> s3_source;
  std::unique_ptr<live::SqsSource> sqs_source;
  std::unique_ptr<live::LastUsedSource> last_used_source;
  std::vector<std::unique_ptr<live::PollLoop>> loops;
  std::unique_ptr<live::SnsVerifier> sns;
  std::unique_ptr<net::HttpTransport> fetch_transport;
  std::unique_ptr<live::PushServer> push;
  std::map<std::string, std::string> last_status;  // source -> status, for transitions

  auto newSession = [&](int min_timeout_ms) -> Result<aws::AwsSession*> {
    config::AwsOptions o = cfg.aws;
    o.request_timeout_ms = std::max(o.request_timeout_ms, min_timeout_ms);
    auto s = aws::AwsSession::create(o, clock);
    if (!s.hasValue()) return s.status().withContext("setting up AWS access");
    sessions.push_back(std::move(s).value());
    return sessions.back().get();
  };
  auto tracker = [&](const std::string& name, const std::string& kind) {
    trackers.push_back(std::make_unique<live::HealthTracker>(ctx.store(), name, kind, clock));
    trackers.back()->started();
    return trackers.back().get();
  };
  auto startLoop = [&](const std::string& name, std::function<Status()> poll,
                       std::chrono::milliseconds interval, live::HealthTracker* h) {
    loops.push_back(std::make_unique<live::PollLoop>(name, std::move(poll), interval, h, clock));
    loops.back()->start();
    return loops.back().get();
  };

  live::Service service(clock);
  service.add({"database",
               [&]() -> Status {
                 HT_ASSIGN_OR_RETURN(int version, ctx.store().schemaVersion());
                 log::info("serve: database " + ctx.databasePath() + " (schema v" +
                           std::to_string(version) + ")");
                 return Status::ok();
               },
               {}});
  service.add({"enrichment",
               [&]() -> Status {
                 // Loaded (and checked) before detection starts; the pipeline uses it.
                 return ctx.enricher().status();
               },
               {}});
  // Alert delivery: outputs are built (credentials read) before detection starts, so a missing
  // credential stops serve at start instead of leaving alerts that can never go out.
  live::PollLoop* delivery_loop = nullptr;
  if (!cfg.alerts.outputs.empty() || !cfg.alerts.actions.empty()) {
    service.add({"alert delivery",
                 [&]() -> Status {
                   HT_ASSIGN_OR_RETURN(alert::Delivery * delivery, ctx.delivery());
                   std::string names;
                   for (const auto& n : delivery->names()) names += (names.empty() ? "" : ", ") + n;
                   log::info("serve: alert outputs: " + (names.empty() ? "none" : names));
                   delivery_loop = startLoop(
                       "alerts",
                       [delivery]() -> Status {
                         HT_ASSIGN_OR_RETURN(alert::DispatchReport r, delivery->runOnce());
                         if (r.dead > 0 || r.unknown_output > 0) {
                           log::error("alerts: " + std::to_string(r.dead + r.unknown_output) +
                                      " notification(s) could not be delivered (see honeytrail "
                                      "alert list --state dead)");
                         }
                         return Status::ok();
                       },
                       std::chrono::seconds(1), nullptr);
                   return Status::ok();
                 },
                 [&] {
                   if (delivery_loop != nullptr) {
                     delivery_loop->requestStop();
                     delivery_loop->join();
                   }
                 }});
  }
  service.add({"detection pipeline",
               [&]() -> Status {
                 HT_ASSIGN_OR_RETURN(pipeline, ctx.pipeline());
                 // Triggers a crash left without an incident are grouped first.
                 HT_ASSIGN_OR_RETURN(size_t caught_up, pipeline->catchUp());
                 if (caught_up > 0)
                   log::info("serve: grouped " + std::to_string(caught_up) +
                             " trigger(s) left without an incident");
                 log::info("serve: watching " + std::to_string(pipeline->tokenCount()) +
                           " token(s)");
                 return Status::ok();
               },
               {}});

  // Set as soon as shutdown begins: sources check it between objects, so each finishes the
  // object in hand and leaves the rest for the next start.
  std::atomic<bool> shutting_down{false};
  std::map<std::string, live::PollLoop*> loop_of;  // source -> its loop, for the stop step
  auto stopLoop = [](live::PollLoop* loop) {
    if (loop != nullptr) {
      loop->requestStop();
      loop->join();
    }
  };

  // Every live source is one step: started in order, stopped in reverse.
  if (cfg.sources.s3.enabled) {
    service.add({"source s3:" + cfg.sources.s3.bucket,
                 [&]() -> Status {
                   HT_ASSIGN_OR_RETURN(aws::AwsSession * session, newSession(0));
                   live::HealthTracker* h = tracker("s3:" + cfg.sources.s3.bucket, "s3");
                   readers.push_back(std::make_unique<live::ObjectReader>(session->s3(), *pipeline,
                                                                          ctx.store(), clock));
                   s3_source = std::make_unique<live::S3Source>(cfg.sources.s3, session->s3(),
                                                                *readers.back(), ctx.store(), *h,
                                                                clock, shutting_down);
                   loop_of[h->source()] = startLoop(
                       h->source(), [&] { return s3_source->pollOnce(); },
                       std::chrono::seconds(cfg.sources.s3.poll_seconds), h);
                   return Status::ok();
                 },
                 [&, name = "s3:" + cfg.sources.s3.bucket] { stopLoop(loop_of[name]); }});
  }
  if (cfg.sources.sqs.enabled) {
    service.add({"source " + sqsName(cfg.sources.sqs.queue_url),
                 [&]() -> Status {
                   // A long poll holds the request open for wait_seconds: the HTTP time limit
                   // must be longer, or every empty poll would end in a timeout and a retry.
                   HT_ASSIGN_OR_RETURN(aws::AwsSession * session,
                                       newSession((cfg.sources.sqs.wait_seconds + 10) * 1000));
                   live::HealthTracker* h = tracker(sqsName(cfg.sources.sqs.queue_url), "sqs");
                   readers.push_back(std::make_unique<live::ObjectReader>(session->s3(), *pipeline,
                                                                          ctx.store(), clock));
                   // A second session for the visibility heartbeat: one client per thread.
                   HT_ASSIGN_OR_RETURN(aws::AwsSession * heartbeat, newSession(0));
                   sqs_source = std::make_unique<live::SqsSource>(
                       cfg.sources.sqs, session->sqs(), *readers.back(), *pipeline, *h, clock,
                       shutting_down, &heartbeat->sqs());
                   // The long poll itself is the wait; a short pause only after a failure-free
                   // empty poll with wait_seconds 0.
                   loop_of[h->source()] = startLoop(
                       h->source(), [&] { return sqs_source->pollOnce(); },
                       std::chrono::milliseconds(cfg.sources.sqs.wait_seconds == 0 ? 1000 : 0), h);
                   return Status::ok();
                 },
                 [&, name = sqsName(cfg.sources.sqs.queue_url)] { stopLoop(loop_of[name]); }});
  }
  if (cfg.sources.last_used) {
    service.add({"source last-used",
                 [&]() -> Status {
                   HT_ASSIGN_OR_RETURN(aws::AwsSession * session, newSession(0));
                   live::HealthTracker* h = tracker("last-used", "last-used");
                   last_used_source =
                       std::make_unique<live::LastUsedSource>(session->iam(), *pipeline, *h);
                   loop_of[h->source()] = startLoop(
                       h->source(), [&] { return last_used_source->pollOnce(); },
                       std::chrono::seconds(cfg.aws.last_used_poll_seconds), h);
                   return Status::ok();
                 },
                 [&, name = std::string("last-used")] { stopLoop(loop_of[name]); }});
  }
  if (cfg.sources.push.enabled) {
    service.add(
        {"push endpoint",
         [&]() -> Status {
           const config::PushSourceOptions& p = cfg.sources.push;
           // AWS access is needed only to fetch the objects a CloudTrail notice names: an
           // EventBridge-only endpoint runs without credentials (such notices then get 503).
           auto session_or = newSession(0);
           aws::AwsSession* session = session_or.hasValue() ? *session_or : nullptr;
           if (session == nullptr) {
             log::warn("push: no AWS access (" + session_or.status().message() +
                       "); CloudTrail notices pushed over SNS cannot be fetched");
           }
           live::HealthTracker* h = tracker("push", "push");
           live::ObjectReader* reader = nullptr;
           if (session != nullptr) {
             readers.push_back(std::make_unique<live::ObjectReader>(session->s3(), *pipeline,
                                                                    ctx.store(), clock));
             reader = readers.back().get();
           }
           net::HttpOptions http;
           http.request_timeout_ms = 15000;
           http.max_response_bytes = 1 << 20;
           fetch_transport = net::makeCurlTransport(http);
           auto get = [t = fetch_transport.get()](const std::string& url) -> Result<std::string> {
             net::HttpRequest req;
             req.url = url;
             HT_ASSIGN_OR_RETURN(net::HttpResponse res, t->send(req));
             if (res.status != 200)
               return Status::ioError("GET " + url + ": HTTP " + std::to_string(res.status));
             return std::move(res.body);
           };
           // An emulator's SNS endpoint (AWS_ENDPOINT_URL_SNS, aws.endpoint_url) is trusted as a
           // certificate host too; otherwise only sns.<region>.amazonaws.com.
           std::vector<std::string> extra;
           if (session != nullptr && session->endpoints().isCustom("SNS")) {
             std::string ep = session->endpoints().endpoint("SNS");
             size_t scheme = ep.find("://");
             std::string host = scheme == std::string::npos ? ep : ep.substr(scheme + 3);
             host = host.substr(0, host.find('/'));
             extra.push_back(host);
           }
           live::SnsVerifierOptions so;
           so.topic_arns = p.sns_topic_arns;
           so.cert_dir = p.sns_cert_dir.empty() ? ctx.dataDir() + "/sns-certs" : p.sns_cert_dir;
           so.fetch_certs = p.sns_fetch_certs;
           so.allowed_hosts_extra = extra;
           sns = std::make_unique<live::SnsVerifier>(so, get);
           live::PushCredentials creds;
           creds.api_key_header = p.eventbridge_api_key_header;
           creds.api_key = envValue(p.eventbridge_api_key_env).value_or("");
           creds.basic_user = p.eventbridge_basic_user;
           creds.basic_password = envValue(p.eventbridge_basic_password_env).value_or("");
           push = std::make_unique<live::PushServer>(p, creds, *pipeline, reader, *sns, *h, clock,
                                                     get, extra);
           return push->start();
         },
         [&]() {
           if (push) push->stop();
         }});
  }
  // Health: written for every source, and a source that goes quiet is announced as blind.
  service.add(
      {"health monitor",
       [&]() -> Status {
         auto every =
             std::chrono::seconds(std::clamp(cfg.sources.blind_after_minutes * 60 / 4, 5, 60));
         startLoop(
             "health",
             [&]() -> Status {
               for (auto& t : trackers) {
                 HT_RETURN_IF_ERROR(t->flush());
                 live::HealthAssessment a =
                     live::assessHealth(t->snapshot(), clock.now(),
                                        std::chrono::minutes(cfg.sources.blind_after_minutes));
                 std::string& before = last_status[t->source()];
                 if (a.status != before) {
                   if (a.status == "blind") {
                     log::error("detection is blind: source " + t->source() + ": " + a.reason);
                   } else if (a.status == "failing") {
                     log::warn("source " + t->source() + " is failing: " + a.reason);
                   } else if (!before.empty()) {
                     log::info("source " + t->source() + " is " + a.status + " again");
                   }
                   before = a.status;
                 }
               }
               return Status::ok();
             },
             every, nullptr);
         return Status::ok();
       },
       {}});

  // The shutdown bound: once a stop is asked for, the process is gone within
  // serve.shutdown_timeout_seconds even if a source hangs in a network call. Positions already
  // saved stay valid; the object in hand is read again by the next start.
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  std::thread watchdog([&] {
    while (!stop.load()) {
      std::unique_lock lock(done_mu);
      if (done_cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return done; })) return;
    }
    std::unique_lock lock(done_mu);
    if (!done_cv.wait_for(lock, std::chrono::seconds(cfg.serve.shutdown_timeout_seconds),
                          [&] { return done; })) {
      log::error("serve: sources did not stop within serve.shutdown_timeout_seconds (" +
                 std::to_string(cfg.serve.shutdown_timeout_seconds) + " s); exiting anyway");
      std::_Exit(1);
    }
  });
  Status result = service.run([&] {
    if (stop.load()) shutting_down = true;
    return stop.load();
  });
  shutting_down = true;
  // Loops were started by steps; stop them all (each finishes its round), then save health.
  for (auto& loop : loops) stopLoop(loop.get());
  if (push) push->stop();
  for (auto& t : trackers) (void)t->flush();
  {
    std::lock_guard lock(done_mu);
    done = true;
  }
  done_cv.notify_all();
  watchdog.join();
  return result;
}

Result<std::vector<json>> sourcesReport(Context& ctx) {
  const config::Config& cfg = ctx.config();
  HT_ASSIGN_OR_RETURN(auto rows, ctx.store().listSourceHealth());
  TimePoint now = SystemClock::instance().now();
  auto minutes = std::chrono::minutes(cfg.sources.blind_after_minutes);
  auto t = [](const std::optional<TimePoint>& tp) { return tp ? json(formatTime(*tp)) : json(); };
  std::vector<json> out;
  std::vector<std::pair<std::string, std::string>> configured = configuredSources(cfg);
  auto isConfigured = [&](const std::string& name) {
    return std::any_of(configured.begin(), configured.end(),
                       [&](const auto& c) { return c.first == name; });
  };
  for (const auto& h : rows) {
    live::HealthAssessment a = live::assessHealth(h, now, minutes);
    if (!isConfigured(h.source)) a = {"disabled", "not enabled in the config (history kept)"};
    json lag =
        h.newest_event_time
            ? json(std::chrono::duration_cast<std::chrono::seconds>(now - *h.newest_event_time)
                       .count())
            : json();
    out.push_back({{"source", h.source},
                   {"kind", h.kind},
                   {"status", a.status},
                   {"reason", a.reason},
                   {"started_at", t(h.started_at)},
                   {"last_poll_at", t(h.last_poll_at)},
                   {"last_data_at", t(h.last_data_at)},
                   {"last_object", h.last_object},
                   {"newest_event_time", t(h.newest_event_time)},
                   {"lag_seconds", lag},
                   {"objects", h.objects},
                   {"records", h.records},
                   {"triggers", h.triggers},
                   {"bad_objects", h.bad_objects},
                   {"errors", h.errors},
                   {"last_error", h.last_error},
                   {"last_error_at", t(h.last_error_at)}});
  }
  for (const auto& [name, kind] : configured) {
    bool seen = std::any_of(rows.begin(), rows.end(),
                            [&](const store::SourceHealth& h) { return h.source == name; });
    if (seen) continue;
    out.push_back(
        {{"source", name},
         {"kind", kind},
         {"status", "blind"},
         {"reason", "enabled in the config but has never run (is `honeytrail serve` running?)"},
         {"objects", 0},
         {"records", 0},
         {"triggers", 0},
         {"bad_objects", 0},
         {"errors", 0}});
  }
  return out;
}

}  // namespace ht::app
