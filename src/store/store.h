// A whole storage back-end: every narrow storage interface, declared by the module that owns
// its records (tokens, detect, incidents, live), implemented by one database. Code takes the
// narrowest interface it needs; only the app, which opens the database, holds a Store. SQL lives
// in the back-ends (sqlite/ now, postgres/ next).
#pragma once

#include "core/status.h"
#include "detect/trigger_store.h"
#include "incidents/incident_store.h"
#include "live/source_store.h"
#include "tokens/token_store.h"

namespace ht::store {

// The records a back-end reads and writes, by their short names inside the store module.
using detect::LastUsedState;
using detect::TriggerFilter;
using detect::TriggerRecord;
using incidents::Incident;
using incidents::IncidentEvent;
using incidents::IncidentFilter;
using incidents::OutboxItem;
using live::SourceHealth;
using tokens::SealedSecret;
using tokens::TokenFilter;

class Store : public tokens::TokenStore,
              public detect::TriggerStore,
              public incidents::IncidentStore,
              public incidents::OutboxStore,
              public live::SourceStore {
 public:
  // Schema version after migrations were applied at open.
  virtual Result<int> schemaVersion() = 0;
};

}  // namespace ht::store
