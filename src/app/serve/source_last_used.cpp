#include "app/serve/steps.h"

namespace ht::app::serve {

// The safety net as a source: GetAccessKeyLastUsed reports uses that no log delivered.
Status startLastUsedSource(ServeState& state) {
  HT_ASSIGN_OR_RETURN(aws::AwsSession * session, state.newSession());
  state.last_used_health = &state.newTracker("last-used", "last-used");
  state.last_used = std::make_unique<live::LastUsedSource>(session->iam(), *state.pipeline,
                                                           *state.last_used_health);
  state.startLoop(
      state.last_used_loop, "last-used",
      [last_used = state.last_used.get()] { return last_used->pollOnce(); },
      std::chrono::seconds(state.config.aws.last_used_poll_seconds), state.last_used_health);
  return Status::ok();
}

void stopLastUsedSource(ServeState& state) {
  state.stopSource(state.last_used_loop, state.last_used_health);
}

}  // namespace ht::app::serve
