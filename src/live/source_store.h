// What live sources keep between runs: a durable position per source, the objects already read
// (so re-listing or a redelivered message reads nothing twice), and each source's health.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace ht::live {

// What a live source has done, for `honeytrail sources` and the blind-source finding. Counters
// are totals since the source first ran.
struct SourceHealth {
  std::string source;                     // "s3:BUCKET", "sqs:QUEUE-NAME", "push", "last-used"
  std::string kind;                       // s3 | sqs | push | last-used
  std::optional<TimePoint> started_at;    // this process's start of the source
  std::optional<TimePoint> last_poll_at;  // last completed poll or request, even with no data
  std::optional<TimePoint> last_data_at;  // last time new data (an object, a record) arrived
  std::string last_object;
  std::optional<TimePoint> newest_event_time;
  uint64_t objects = 0;
  uint64_t records = 0;
  uint64_t triggers = 0;
  uint64_t bad_objects = 0;  // unreadable objects, poison messages, rejected requests
  uint64_t errors = 0;       // failed polls (AWS errors, network)
  std::string last_error;
  std::optional<TimePoint> last_error_at;
  TimePoint updated_at{};
};

class SourceStore {
 public:
  virtual ~SourceStore() = default;
  // Live sources: a durable position per (source, position key), the objects already read (so
  // re-listing or a redelivered message reads nothing twice), and health.
  virtual Result<std::optional<std::string>> getCheckpoint(const std::string& source,
                                                           const std::string& position) = 0;
  virtual Status putCheckpoint(const std::string& source, const std::string& position,
                               const std::string& value, TimePoint at) = 0;
  virtual Result<bool> objectRead(const std::string& object) = 0;
  virtual Status markObjectRead(const std::string& object, const std::string& source, TimePoint at,
                                uint64_t records, uint64_t triggers) = 0;
  // Forgets objects read before `before` (they are older than any listing looks back).
  virtual Result<int64_t> pruneObjectsRead(TimePoint before) = 0;
  virtual Status putSourceHealth(const SourceHealth& health) = 0;
  virtual Result<std::vector<SourceHealth>> listSourceHealth() = 0;
};

}  // namespace ht::live
