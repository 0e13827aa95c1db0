#include "app/serve/steps.h"
#include "core/log.h"

namespace ht::app::serve {

Status startAlertDelivery(ServeState& state) {
  HT_ASSIGN_OR_RETURN(alert::Delivery * delivery, state.ctx.delivery());
  std::string names;
  for (const auto& n : delivery->names()) names += (names.empty() ? "" : ", ") + n;
  log::info("serve: alert outputs: " + (names.empty() ? "none" : names));
  state.startLoop(
      state.delivery_loop, "alerts",
      [delivery]() -> Status {
        HT_ASSIGN_OR_RETURN(alert::DispatchReport r, delivery->runOnce());
        if (r.dead > 0 || r.unknown_output > 0) {
          log::error("alerts: " + std::to_string(r.dead + r.unknown_output) +
                     " notification(s) could not be delivered (see honeytrail alert list "
                     "--state dead)");
        }
        return Status::ok();
      },
      std::chrono::seconds(1), nullptr);
  return Status::ok();
}

void stopAlertDelivery(ServeState& state) { stopLoop(state.delivery_loop); }

}  // namespace ht::app::serve
