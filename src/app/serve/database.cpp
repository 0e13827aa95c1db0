#include "app/serve/steps.h"
#include "core/log.h"

namespace ht::app::serve {

// Opens (and migrates) the database first: every later step reads or writes it.
Status startDatabase(ServeState& state) {
  HT_ASSIGN_OR_RETURN(int version, state.ctx.store().schemaVersion());
  log::info("serve: database " + state.ctx.databasePath() + " (schema v" + std::to_string(version) +
            ")");
  return Status::ok();
}

}  // namespace ht::app::serve
