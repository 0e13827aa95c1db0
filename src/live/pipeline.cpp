#include "live/pipeline.h"

#include "core/log.h"
#include "detect/trigger.h"

namespace ht::live {

Pipeline::Pipeline(detect::TriggerStore& store, tokens::Registry& registry,
                   const detect::Enricher* enricher, const Clock& clock,
                   incidents::IncidentManager* incidents)
    : store_(store),
      registry_(registry),
      enricher_(enricher),
      clock_(clock),
      incidents_(incidents) {}

void Pipeline::onTrigger(std::function<void(const detect::TriggerRecord&)> callback) {
  std::lock_guard lock(mu_);
  callbacks_.push_back(std::move(callback));
}

Status Pipeline::refreshLocked() {
  HT_ASSIGN_OR_RETURN(int64_t version, registry_.version());
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

void Pipeline::groupLocked(const detect::TriggerRecord& trigger) {
  if (incidents_ == nullptr) return;
  if (grouping_behind_) {
    // An earlier grouping failed: its trigger is stored without an incident. Catching up groups
    // every such trigger oldest event first, this one (already stored) included.
    auto caught_up = incidents_->catchUp();
    if (caught_up.hasValue()) {
      grouping_behind_ = false;
      log::info("grouped " + std::to_string(*caught_up) + " trigger(s) left without an incident");
    } else {
      log::error("incident for trigger " + trigger.event_id + ": " +
                 caught_up.status().message());
    }
    return;
  }
  auto update = incidents_->onTrigger(trigger);
  if (!update.hasValue()) {
    // The trigger is stored; the next trigger (or the next start) groups it.
    grouping_behind_ = true;
    log::error("incident for trigger " + trigger.event_id + ": " + update.status().message());
  } else if (update->opened) {
    log::warn("incident " + update->incident.id + " opened: " + update->incident.title);
  } else {
    for (const auto& e : update->escalations)
      log::warn("incident " + update->incident.id + " escalated: " + e);
  }
}

void Pipeline::storeMatchesLocked(
    const detect::FoundEvent& found, Status& store_error,
    const std::function<void(detect::TriggerRecord&&, const tokens::Token&)>& on_new) {
  for (const auto& m : found.matches) {
    // After a failed write nothing more is stored: the caller reports the failure and the
    // input is read again later, so no trigger is skipped.
    if (!store_error.isOk()) return;
    detect::TriggerRecord t = detect::makeTrigger(found, m, enricher_, clock_.now());
    Result<bool> added = store_.addTrigger(t);
    if (!added.hasValue()) {
      store_error = added.status();
      return;
    }
    if (*added) on_new(std::move(t), *m.token);  // false: stored before, not news
  }
}

void Pipeline::notify(const std::vector<detect::TriggerRecord>& triggers) {
  std::vector<std::function<void(const detect::TriggerRecord&)>> callbacks;
  {
    std::lock_guard lock(mu_);
    callbacks = callbacks_;
  }
  for (const auto& t : triggers) {
    for (const auto& cb : callbacks) cb(t);
  }
}

Result<ProcessResult> Pipeline::process(const std::string& source, std::string_view bytes) {
  ProcessResult result;
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
          storeMatchesLocked(f, store_error,
                             [&](detect::TriggerRecord&& t, const tokens::Token&) {
                               groupLocked(t);
                               result.new_triggers.push_back(std::move(t));
                             });
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
  }
  notify(result.new_triggers);
  return result;
}

Result<BatchResult> Pipeline::ingestFiles(
    const std::vector<std::string>& files, detect::ScanOptions options,
    const std::function<void(const detect::TriggerRecord&, const std::string& key_id)>& on_trigger,
    const std::function<void(const ingest::InputProblem&)>& on_problem) {
  BatchResult result;
  std::vector<detect::TriggerRecord> stored;
  {
    std::lock_guard lock(mu_);
    HT_RETURN_IF_ERROR(refreshLocked());
    // Triggers a crash left ungrouped belong before this batch.
    if (incidents_ != nullptr) {
      HT_RETURN_IF_ERROR(incidents_->catchUp().status());
      grouping_behind_ = false;
    }
    Status store_error;
    options.stop = [&] { return !store_error.isOk(); };
    HT_RETURN_IF_ERROR(scanner_->scan(
        files, options,
        [&](detect::FoundEvent&& f) {
          storeMatchesLocked(f, store_error,
                             [&](detect::TriggerRecord&& t, const tokens::Token& token) {
                               ++result.new_triggers;
                               if (on_trigger) on_trigger(t, token.key_id);
                               stored.push_back(std::move(t));
                             });
        },
        [&](const ingest::InputProblem& p) {
          if (on_problem) on_problem(p);
        },
        &result.scan));
    if (!store_error.isOk()) {
      return store_error.withContext("storing triggers (" + std::to_string(result.new_triggers) +
                                     " stored before the failure are kept)");
    }
    if (incidents_ != nullptr) {
      HT_RETURN_IF_ERROR(incidents_->catchUp(&result.incidents_opened).status());
    }
  }
  notify(stored);
  return result;
}

Result<bool> Pipeline::submit(const detect::TriggerRecord& trigger) {
  bool added = false;
  {
    std::lock_guard lock(mu_);
    HT_ASSIGN_OR_RETURN(added, store_.addTrigger(trigger));
    if (added) groupLocked(trigger);
  }
  if (added) notify({trigger});
  return added;
}

Result<LastUsedResult> Pipeline::pollLastUsed(aws::IamClient& iam) {
  detect::LastUsedPoller poller(registry_, store_, iam, clock_);
  LastUsedResult result;
  auto report = poller.pollOnce([&](const detect::LastUsedTrigger& use) -> Status {
    detect::TriggerRecord t = detect::makeLastUsedTrigger(use, clock_.now());
    HT_ASSIGN_OR_RETURN(bool added, submit(t));
    if (added) {
      log::warn("trigger: last-used reports key " + use.key_id + " used with " + use.service +
                " in " + use.region + " at " + formatTime(use.last_used_at));
      result.new_triggers.push_back(std::move(t));
    }
    return Status::ok();
  });
  if (!report.hasValue()) return report.status();
  result.report = std::move(report).value();
  return result;
}

Result<size_t> Pipeline::catchUp(size_t* opened) {
  if (incidents_ == nullptr) return size_t{0};
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(size_t grouped, incidents_->catchUp(opened));
  grouping_behind_ = false;
  return grouped;
}

}  // namespace ht::live
