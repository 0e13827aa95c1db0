// The detection pipeline every live source feeds: bytes in (an S3 object, a pushed EventBridge
// event), stored triggers out. It keeps the token index in step with the registry (a token
// created while `serve` runs is detected from its next object on) and is shared by all sources,
// so it serialises its work: objects are small and arrive minutes apart.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "detect/enrich.h"
#include "detect/scanner.h"
#include "store/store.h"
#include "tokens/registry.h"

namespace ht::live {

struct ProcessResult {
  uint64_t records = 0;
  uint64_t problems = 0;
  uint64_t matched_events = 0;
  std::vector<store::TriggerRecord> new_triggers;  // stored now (not seen before)
  std::optional<TimePoint> newest_event_time;
  std::string first_problem;  // "kind at offset N: message", "" when clean
  // Whether nothing at all could be read (not CloudTrail, broken gzip before the first record).
  bool unreadable = false;
};

class Pipeline {
 public:
  Pipeline(store::Store& store, tokens::Registry& registry, const detect::Enricher* enricher,
           const Clock& clock);

  // Reads every record of one input (any format the reader knows), stores each new trigger.
  // source names where the bytes came from ("s3://bucket/key", "eventbridge").
  Result<ProcessResult> process(const std::string& source, std::string_view bytes);

  // Stores a trigger that did not come from a CloudTrail record (the last-used safety net).
  Result<bool> storeTrigger(const store::TriggerRecord& trigger);

  // Called (outside the pipeline's lock) with every newly stored trigger; `serve` hooks the
  // alert dispatcher here.
  void onTrigger(std::function<void(const store::TriggerRecord&)> callback);

  size_t tokenCount();

 private:
  Status refreshLocked();
  store::Store& store_;
  tokens::Registry& registry_;
  const detect::Enricher* enricher_;
  const Clock& clock_;
  std::mutex mu_;
  int64_t loaded_version_ = -1;
  std::unique_ptr<detect::TokenIndex> index_;
  std::unique_ptr<detect::Scanner> scanner_;
  std::vector<std::function<void(const store::TriggerRecord&)>> callbacks_;
};

}  // namespace ht::live
