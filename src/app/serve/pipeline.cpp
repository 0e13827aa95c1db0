#include "app/serve/steps.h"
#include "core/log.h"

namespace ht::app::serve {

Status startPipeline(ServeState& state) {
  HT_ASSIGN_OR_RETURN(state.pipeline, state.ctx.pipeline());
  // Triggers a crash left without an incident are grouped before new ones arrive.
  HT_ASSIGN_OR_RETURN(size_t caught_up, state.pipeline->catchUp());
  if (caught_up > 0) {
    log::info("serve: grouped " + std::to_string(caught_up) +
              " trigger(s) left without an incident");
  }
  log::info("serve: watching " + std::to_string(state.pipeline->tokenCount()) + " token(s)");
  return Status::ok();
}

}  // namespace ht::app::serve
