#include "app/serve/steps.h"

namespace ht::app::serve {

// Loaded (and checked) before detection starts, so a bad enrichment file stops serve at start;
// the pipeline uses it.
Status startEnrichment(ServeState& state) { return state.ctx.enricher().status(); }

}  // namespace ht::app::serve
