// What `honeytrail serve` builds, owned in one place: each start-up step (steps.h) fills in its
// part, each stop undoes it, and whatever is left is destroyed after every step has stopped.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/context.h"
#include "aws/session.h"
#include "core/clock.h"
#include "live/health_monitor.h"
#include "live/push_server.h"
#include "live/service.h"
#include "live/sns.h"
#include "live/sources.h"
#include "net/http.h"

namespace ht::app::serve {

// Members are declared so that each poll loop is destroyed before what it polls.
struct ServeState {
  ServeState(Context& ctx, const Clock& clock);
  ServeState(const ServeState&) = delete;
  ServeState& operator=(const ServeState&) = delete;

  Context& ctx;
  const config::Config& config;
  const Clock& clock;
  // Set as soon as shutdown begins: sources check it between objects, so each finishes the
  // object in hand and leaves the rest for the next start.
  std::atomic<bool> shutting_down{false};
  // Read from the environment by preflight(), before any step starts.
  live::PushCredentials push_credentials;

  live::Pipeline* pipeline = nullptr;  // owned by ctx
  std::vector<std::unique_ptr<aws::AwsSession>> sessions;
  std::vector<std::unique_ptr<live::HealthTracker>> trackers;
  std::vector<std::unique_ptr<live::ObjectReader>> readers;

  std::unique_ptr<live::PollLoop> delivery_loop;

  live::HealthTracker* s3_health = nullptr;
  std::unique_ptr<live::S3Source> s3;
  std::unique_ptr<live::PollLoop> s3_loop;

  live::HealthTracker* sqs_health = nullptr;
  std::unique_ptr<live::SqsSource> sqs;
  std::unique_ptr<live::PollLoop> sqs_loop;

  live::HealthTracker* last_used_health = nullptr;
  std::unique_ptr<live::LastUsedSource> last_used;
  std::unique_ptr<live::PollLoop> last_used_loop;

  live::HealthTracker* push_health = nullptr;
  std::unique_ptr<net::HttpTransport> push_fetcher;
  std::unique_ptr<live::SnsVerifier> sns;
  std::unique_ptr<live::PushServer> push;

  std::unique_ptr<live::HealthMonitor> health_monitor;
  std::unique_ptr<live::PollLoop> health_loop;

  // An AWS session of its own for one user (AwsClient keeps per-call state, so one per thread),
  // with an HTTP time limit of at least min_timeout_ms.
  Result<aws::AwsSession*> newSession(int min_timeout_ms = 0);
  // A source's health, marked as started now.
  live::HealthTracker& newTracker(const std::string& name, const std::string& kind);
  live::ObjectReader& newReader(aws::AwsSession& session);
  // Starts a loop into `slot`.
  void startLoop(std::unique_ptr<live::PollLoop>& slot, const std::string& name,
                 std::function<Status()> poll, std::chrono::milliseconds interval,
                 live::HealthTracker* health);
  // Stops a source: shutdown has begun, the loop finishes its round, and the source's health is
  // saved one last time.
  void stopSource(std::unique_ptr<live::PollLoop>& loop, live::HealthTracker* health);
  // Writes a source's health now (a failure is logged: the next start recounts nothing lost).
  void saveHealth(live::HealthTracker* health);
};

// Lets a loop finish its round and joins it; nothing when the slot is empty.
void stopLoop(std::unique_ptr<live::PollLoop>& loop);

}  // namespace ht::app::serve
