#include "app/serve/steps.h"
#include "live/source_report.h"

namespace ht::app::serve {

Status startS3Source(ServeState& state) {
  const config::S3SourceOptions& options = state.config.sources.s3;
  HT_ASSIGN_OR_RETURN(aws::AwsSession * session, state.newSession());
  state.s3_health = &state.newTracker(live::s3SourceName(options.bucket), "s3");
  live::ObjectReader& reader = state.newReader(*session);
  state.s3 = std::make_unique<live::S3Source>(options, session->s3(), reader, state.ctx.store(),
                                              *state.s3_health, state.clock, state.shutting_down);
  state.startLoop(
      state.s3_loop, state.s3_health->source(), [s3 = state.s3.get()] { return s3->pollOnce(); },
      std::chrono::seconds(options.poll_seconds), state.s3_health);
  return Status::ok();
}

void stopS3Source(ServeState& state) { state.stopSource(state.s3_loop, state.s3_health); }

}  // namespace ht::app::serve
