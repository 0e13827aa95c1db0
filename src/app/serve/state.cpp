#include "app/serve/state.h"

#include <algorithm>

#include "core/log.h"

namespace ht::app::serve {

ServeState::ServeState(Context& c, const Clock& cl) : ctx(c), config(c.config()), clock(cl) {}

Result<aws::AwsSession*> ServeState::newSession(int min_timeout_ms) {
  config::AwsOptions options = config.aws;
  options.request_timeout_ms = std::max(options.request_timeout_ms, min_timeout_ms);
  auto session = aws::AwsSession::create(options, clock);
  if (!session.hasValue()) return session.status().withContext("setting up AWS access");
  sessions.push_back(std::move(session).value());
  return sessions.back().get();
}

live::HealthTracker& ServeState::newTracker(const std::string& name, const std::string& kind) {
  trackers.push_back(std::make_unique<live::HealthTracker>(ctx.store(), name, kind, clock));
  trackers.back()->started();
  return *trackers.back();
}

live::ObjectReader& ServeState::newReader(aws::AwsSession& session) {
  readers.push_back(
      std::make_unique<live::ObjectReader>(session.s3(), *pipeline, ctx.store(), clock));
  return *readers.back();
}

void ServeState::startLoop(std::unique_ptr<live::PollLoop>& slot, const std::string& name,
                           std::function<Status()> poll, std::chrono::milliseconds interval,
                           live::HealthTracker* health) {
  slot = std::make_unique<live::PollLoop>(name, std::move(poll), interval, health, clock);
  slot->start();
}

void ServeState::stopSource(std::unique_ptr<live::PollLoop>& loop, live::HealthTracker* health) {
  shutting_down = true;
  stopLoop(loop);
  saveHealth(health);
}

void ServeState::saveHealth(live::HealthTracker* health) {
  if (health == nullptr) return;
  Status saved = health->flush();
  if (!saved.isOk())
    log::warn("source " + health->source() + ": saving health: " + saved.message());
}

void stopLoop(std::unique_ptr<live::PollLoop>& loop) {
  if (!loop) return;
  loop->requestStop();
  loop->join();
}

}  // namespace ht::app::serve
