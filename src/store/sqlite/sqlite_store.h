// SQLite back-end of the Store: one database file, WAL journal, foreign keys on, versioned
// migrations applied at open under an exclusive lock, so that several honeytrail processes
// started at once on a new data dir agree on one schema.
#pragma once

#include <memory>
#include <string>

#include "config/options.h"
#include "store/store.h"

namespace ht::store {

// Opens (creating if absent) the database at path and applies pending migrations.
// Errors: Corruption when the file is not a SQLite database or is damaged; FailedPrecondition
// when it was written by a newer honeytrail; PermissionDenied/IoError when it cannot be opened.
Result<std::unique_ptr<Store>> openSqliteStore(const std::string& path,
                                               const config::SqliteOptions& options);

// The highest schema version this build knows.
int sqliteLatestSchemaVersion();

}  // namespace ht::store
