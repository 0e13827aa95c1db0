#include "live/pipeline.h"

#include "detect/trigger.h"

namespace ht::live {

Pipeline::Pipeline(store::Store& store, tokens::Registry& registry,
                   const detect::Enricher* enricher, const Clock& clock)
    : store_(store), registry_(registry), enricher_(enricher), clock_(clock) {}

void Pipeline::onTrigger(std::function<void(const store::TriggerRecord&)> callback) {
  std::lock_guard lock(mu_);
  callbacks_.push_back(std::move(callback));
}

Status Pipeline::refreshLocked() {
  HT_ASSIGN_OR_RETURN(int64_t version, store_.registryVersion());
  if (index_ && version == loaded_version_) return Status::ok();
  HT_ASSIGN_OR_RETURN(auto tokens, registry_.list({}));
  auto index = std::make_unique<detect::TokenIndex>();
  index->reserve(tokens.size());
  for (auto& t : tokens) index->add(std::move(t));
  scanner_ = std::make_unique<detect::Scanner>(*index);
  index_ = std::move(index);
  loaded_version_ = version;
  return Status::ok();
}

size_t Pipeline::tokenCount() {
  std::lock_guard lock(mu_);
  if (!refreshLocked().isOk() || !index_) return 0;
  return index_->size();
}

Result<ProcessResult> Pipeline::process(const std::string& source, std::string_view bytes) {
  ProcessResult result;
  std::vector<std::function<void(const store::TriggerRecord&)>> callbacks;
  {
    std::lock_guard lock(mu_);
    HT_RETURN_IF_ERROR(refreshLocked());
    detect::ScanOptions options;
    options.validate_all = true;  // live data is small: report every malformed record
    detect::ScanSummary summary;
    Status store_error;
    Status st = scanner_->scanBuffer(
        source, bytes, options,
        [&](detect::FoundEvent&& f) {
          for (const auto& m : f.matches) {
            store::TriggerRecord t = detect::makeTrigger(f, m, enricher_, clock_.now());
            Result<bool> added = store_.addTrigger(t);
            if (!added.hasValue()) {
              if (store_error.isOk()) store_error = added.status();
              continue;
            }
            if (*added) result.new_triggers.push_back(std::move(t));
          }
        },
        [&](const ingest::InputProblem& p) {
          if (result.first_problem.empty()) {
            result.first_problem =
                p.kind + " at offset " + std::to_string(p.offset) + ": " + p.message;
          }
        },
        &summary);
    // A trigger that could not be stored must not be acknowledged upstream: the caller keeps
    // the object (or message) and tries again.
    if (!store_error.isOk()) return store_error.withContext("storing triggers from " + source);
    result.records = summary.records;
    result.problems = summary.problems;
    result.matched_events = summary.matched_events;
    result.newest_event_time = summary.newest_event_time;
    result.unreadable = !st.isOk();
    callbacks = callbacks_;
  }
  for (const auto& t : result.new_triggers) {
    for (const auto& cb : callbacks) cb(t);
  }
  return result;
}

Result<bool> Pipeline::storeTrigger(const store::TriggerRecord& trigger) {
  std::vector<std::function<void(const store::TriggerRecord&)>> callbacks;
  bool added = false;
  {
    std::lock_guard lock(mu_);
    HT_ASSIGN_OR_RETURN(added, store_.addTrigger(trigger));
    callbacks = callbacks_;
  }
  if (added) {
    for (const auto& cb : callbacks) cb(trigger);
  }
  return added;
}

}  // namespace ht::live
