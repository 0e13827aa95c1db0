// The detection pipeline: the one way a trigger enters honeytrail. Bytes in (a CloudTrail file,
// an S3 object, a pushed EventBridge event) or a use the last-used safety net found; out come
// stored triggers, grouped into incidents whose announcements are written to the outbox in the
// same transaction. `ingest`, every `serve` source, `aws poll-last-used` (and the coming API and
// agent) all drive this object, so what one front end stores, groups and alerts, every other
// does too. It keeps the token index in step with the registry (a token created while `serve`
// runs is detected from its next object on) and serialises its work.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "incidents/incidents.h"
#include "aws/iam_client.h"
#include "core/clock.h"
#include "detect/enrich.h"
#include "detect/last_used_poller.h"
#include "detect/scanner.h"
#include "detect/trigger_store.h"
#include "tokens/registry.h"

namespace ht::live {

struct ProcessResult {
  uint64_t records = 0;
  uint64_t problems = 0;
  uint64_t matched_events = 0;
  std::vector<detect::TriggerRecord> new_triggers;  // stored now (not seen before)
  std::optional<TimePoint> newest_event_time;
  std::string first_problem;  // "kind at offset N: message", "" when clean
  // Whether nothing at all could be read (not CloudTrail, broken gzip before the first record).
  bool unreadable = false;
};

// What one batch of files (`honeytrail ingest`) did.
struct BatchResult {
  detect::ScanSummary scan;
  uint64_t new_triggers = 0;
  size_t incidents_opened = 0;
};

// What one pass of the safety net did: the uses AWS reported (new or already stored) and the
// triggers stored for them now.
struct LastUsedResult {
  detect::PollReport report;
  std::vector<detect::TriggerRecord> new_triggers;
};

class Pipeline {
 public:
  // incidents groups each new trigger (nullptr: triggers are stored but not grouped, for tests
  // of storage alone). enricher may be nullptr (no local enrichment configured).
  Pipeline(detect::TriggerStore& store, tokens::Registry& registry, const detect::Enricher* enricher,
           const Clock& clock, incidents::IncidentManager* incidents = nullptr);

  // Reads every record of one input already in memory (any format the reader knows), stores each
  // new trigger and groups it at once. source names where the bytes came from
  // ("s3://bucket/key", "eventbridge"). A storage failure is returned, so that the caller keeps
  // the object (or message) and tries again.
  Result<ProcessResult> process(const std::string& source, std::string_view bytes);

  // Reads files with options.threads workers, storing each new trigger as it is found; then
  // groups the whole batch oldest event first (files are read in any order, but incidents and
  // their escalations follow the attacker's timeline, and an incident's first message tells
  // everything the batch holds). on_trigger (calling thread, may be null) sees each newly
  // stored trigger with its token's key ID; on_problem each bad input. A storage failure stops
  // the batch cleanly (workers joined) and is returned: what was stored stays, and is grouped by
  // the next run.
  Result<BatchResult> ingestFiles(
      const std::vector<std::string>& files, detect::ScanOptions options,
      const std::function<void(const detect::TriggerRecord&, const std::string& key_id)>&
          on_trigger,
      const std::function<void(const ingest::InputProblem&)>& on_problem);

  // One pass of the last-used safety net over every active token: each use newer than the one
  // seen last is stored and grouped like any other trigger before the poller saves the state
  // that hides it, so a use is never lost between the two writes.
  Result<LastUsedResult> pollLastUsed(aws::IamClient& iam);

  // Stores (and groups) one trigger that did not come from a CloudTrail record.
  Result<bool> submit(const detect::TriggerRecord& trigger);

  // Groups every stored trigger no incident holds yet (what a crash left between the two
  // writes); *opened (when given) gets how many incidents were opened.
  Result<size_t> catchUp(size_t* opened = nullptr);

  // Called (outside the pipeline's lock) with every newly stored trigger, after grouping.
  void onTrigger(std::function<void(const detect::TriggerRecord&)> callback);

  size_t tokenCount();

 private:
  Status refreshLocked();
  // After a trigger is stored: group it (a failure is logged and left for the next catch-up,
  // the trigger itself is safe).
  void groupLocked(const detect::TriggerRecord& trigger);
  // Stores one trigger per match of a found event; each new one goes to on_new. The first
  // failed write lands in store_error and stops storing.
  void storeMatchesLocked(
      const detect::FoundEvent& found, Status& store_error,
      const std::function<void(detect::TriggerRecord&&, const tokens::Token&)>& on_new);
  void notify(const std::vector<detect::TriggerRecord>& triggers);

  detect::TriggerStore& store_;
  tokens::Registry& registry_;
  const detect::Enricher* enricher_;
  const Clock& clock_;
  incidents::IncidentManager* incidents_;
  std::mutex mu_;
  bool grouping_behind_ = false;  // a grouping failed: catch up before the next trigger
  int64_t loaded_version_ = -1;
  std::unique_ptr<detect::TokenIndex> index_;
  std::unique_ptr<detect::Scanner> scanner_;
  std::vector<std::function<void(const detect::TriggerRecord&)>> callbacks_;
};

}  // namespace ht::live
