#include "app/serve/steps.h"
#include "live/source_report.h"

namespace ht::app::serve {

Status startSqsSource(ServeState& state) {
  const config::SqsSourceOptions& options = state.config.sources.sqs;
  // A long poll holds the request open for wait_seconds: the HTTP time limit must be longer, or
  // every empty poll would end in a timeout and a retry.
  HT_ASSIGN_OR_RETURN(aws::AwsSession * session,
                      state.newSession((options.wait_seconds + 10) * 1000));
  state.sqs_health = &state.newTracker(live::sqsSourceName(options.queue_url), "sqs");
  live::ObjectReader& reader = state.newReader(*session);
  // A second session for the visibility heartbeat, which runs on a thread of its own.
  HT_ASSIGN_OR_RETURN(aws::AwsSession * heartbeat, state.newSession());
  state.sqs = std::make_unique<live::SqsSource>(options, session->sqs(), reader, *state.pipeline,
                                                *state.sqs_health, state.clock, state.shutting_down,
                                                &heartbeat->sqs());
  // The long poll itself is the wait; a short pause only when wait_seconds is 0.
  state.startLoop(
      state.sqs_loop, state.sqs_health->source(),
      [sqs = state.sqs.get()] { return sqs->pollOnce(); },
      std::chrono::milliseconds(options.wait_seconds == 0 ? 1000 : 0), state.sqs_health);
  return Status::ok();
}

void stopSqsSource(ServeState& state) { state.stopSource(state.sqs_loop, state.sqs_health); }

}  // namespace ht::app::serve
