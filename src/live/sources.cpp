#include "live/sources.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "core/log.h"
#include "core/strings.h"
#include "detect/last_used_poller.h"
#include "live/notifications.h"

namespace ht::live {

// ---- health ---------------------------------------------------------------------------------

HealthTracker::HealthTracker(SourceStore& store, std::string source, std::string kind,
                             const Clock& clock)
    : store_(store), source_(std::move(source)), clock_(clock) {
  h_.source = source_;
  h_.kind = kind;
  // Totals survive restarts: start from what the store holds for this source.
  auto all = store_.listSourceHealth();
  if (all.hasValue()) {
    for (const auto& prev : *all) {
      if (prev.source == source_) {
        h_ = prev;
        // The kind this process was given wins over the stored row's (which may be empty).
        if (!kind.empty()) h_.kind = kind;
        if (h_.kind.empty()) h_.kind = "unknown";
      }
    }
  }
}

void HealthTracker::started() {
  std::lock_guard lock(mu_);
  h_.started_at = clock_.now();
}

void HealthTracker::polled() {
  std::lock_guard lock(mu_);
  h_.last_poll_at = clock_.now();
}

void HealthTracker::dataArrived(const std::string& object, const ProcessResult& r) {
  std::lock_guard lock(mu_);
  TimePoint now = clock_.now();
  h_.last_data_at = now;
  h_.last_poll_at = now;
  h_.last_object = object;
  ++h_.objects;
  h_.records += r.records;
  h_.triggers += r.new_triggers.size();
  if (r.newest_event_time &&
      (!h_.newest_event_time || *r.newest_event_time > *h_.newest_event_time))
    h_.newest_event_time = r.newest_event_time;
}

void HealthTracker::heartbeat() {
  std::lock_guard lock(mu_);
  h_.last_data_at = clock_.now();
  h_.last_poll_at = h_.last_data_at;
}

void HealthTracker::badObject(const std::string& object, const std::string& why) {
  std::lock_guard lock(mu_);
  ++h_.bad_objects;
  h_.last_error = object + ": " + why;
  h_.last_error_at = clock_.now();
}

void HealthTracker::error(const std::string& message) {
  std::lock_guard lock(mu_);
  ++h_.errors;
  h_.last_error = message;
  h_.last_error_at = clock_.now();
}

live::SourceHealth HealthTracker::snapshot() const {
  std::lock_guard lock(mu_);
  return h_;
}

Status HealthTracker::flush() {
  live::SourceHealth copy = snapshot();
  copy.updated_at = clock_.now();
  return store_.putSourceHealth(copy);
}

HealthAssessment assessHealth(const live::SourceHealth& h, TimePoint now,
                              std::chrono::minutes blind_after) {
  auto minutes = [&](TimePoint t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::minutes>(now - t).count());
  };
  std::optional<TimePoint> reference = h.last_data_at ? h.last_data_at : h.started_at;
  bool failing = h.last_error_at && (!h.last_poll_at || *h.last_error_at > *h.last_poll_at) &&
                 (!h.last_data_at || *h.last_error_at > *h.last_data_at);
  if (reference && now - *reference > blind_after) {
    std::string why = h.last_data_at
                          ? "no new data for " + minutes(*h.last_data_at) + " min"
                          : "no data since it started " + minutes(*h.started_at) + " min ago";
    if (failing) why += "; last error: " + h.last_error;
    return {"blind", why + " (limit " + std::to_string(blind_after.count()) + " min)"};
  }
  if (!reference) return {"blind", "has never run"};
  if (failing) return {"failing", "last attempt failed: " + h.last_error};
  return {"ok", h.last_data_at ? "data " + minutes(*h.last_data_at) + " min ago"
                               : "running, no data yet"};
}

// ---- objects --------------------------------------------------------------------------------

ObjectReader::ObjectReader(aws::S3Client& s3, Pipeline& pipeline, SourceStore& store,
                           const Clock& clock)
    : s3_(s3), pipeline_(pipeline), store_(store), clock_(clock) {}

ObjectReader::Outcome ObjectReader::read(const std::string& bucket, const std::string& key,
                                         HealthTracker& health, ProcessResult* out) {
  std::string object = "s3://" + bucket + "/" + key;
  auto seen = store_.objectRead(object);
  if (!seen.hasValue()) {
    health.error(seen.status().message());
    return Outcome::kFailed;
  }
  if (*seen) return Outcome::kAlreadyRead;
  auto bytes = s3_.getObject(bucket, key);
  if (!bytes.hasValue()) {
    health.error(bytes.status().message());
    log::warn("source " + health.source() + ": " + bytes.status().message());
    return Outcome::kFailed;
  }
  auto processed = pipeline_.process(object, *bytes);
  if (!processed.hasValue()) {
    health.error(processed.status().message());
    log::error("source " + health.source() + ": " + processed.status().message());
    return Outcome::kFailed;
  }
  const ProcessResult& r = *processed;
  Status marked = store_.markObjectRead(object, health.source(), clock_.now(), r.records,
                                        r.new_triggers.size());
  if (!marked.isOk()) {
    health.error(marked.message());
    return Outcome::kFailed;
  }
  health.dataArrived(object, r);
  if (out != nullptr) *out = r;
  if (r.unreadable || r.problems > 0) {
    health.badObject(object, r.first_problem);
    log::warn("source " + health.source() + ": " + object + ": " + std::to_string(r.problems) +
              " problem(s), first: " + r.first_problem);
    if (r.unreadable) return Outcome::kBad;
  }
  for (const auto& t : r.new_triggers) {
    log::warn(std::string("trigger: ") + detect::triggerClassName(t.trigger_class) + " of token " +
              t.token_id + " by " + t.event_name + " from " + t.source_ip + " (event " +
              t.event_id + ", " + object + ")");
  }
  return Outcome::kRead;
}

// ---- S3 -------------------------------------------------------------------------------------

std::optional<TimePoint> cloudTrailKeyTime(std::string_view key) {
  // The last path segment: ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
  size_t slash = key.rfind('/');
  std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  for (size_t i = 0; i + 14 <= name.size(); ++i) {
    std::string_view s = name.substr(i, 14);
    if (s[8] != 'T' || s[13] != 'Z' || (i > 0 && name[i - 1] != '_')) continue;
    bool digits = true;
    for (size_t k = 0; k < 13; ++k) {
      if (k == 8) continue;
      if (s[k] < '0' || s[k] > '9') digits = false;
    }
    if (!digits) continue;
    std::string iso = std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" +
                      std::string(s.substr(6, 2)) + "T" + std::string(s.substr(9, 2)) + ":" +
                      std::string(s.substr(11, 2)) + ":00Z";
    return parseTime(iso);
  }
  return std::nullopt;
}

namespace {

std::string dayPath(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d/%02d/%02d/", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::string lastSegment(const std::string& prefix) {
  std::string p = prefix;
  if (!p.empty() && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool isAccountId(const std::string& s) {
  return s.size() == 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

S3Source::S3Source(const config::S3SourceOptions& options, aws::S3Client& s3, ObjectReader& reader,
                   SourceStore& store, HealthTracker& health, const Clock& clock,
                   const std::atomic<bool>& stop)
    : options_(options),
      s3_(s3),
      reader_(reader),
      store_(store),
      health_(health),
      clock_(clock),
      stop_(stop) {}

Result<std::vector<std::string>> S3Source::trailPrefixes() {
  auto children = [&](const std::string& prefix) -> Result<std::vector<std::string>> {
    std::vector<std::string> out;
    aws::ListObjectsRequest req;
    req.bucket = options_.bucket;
    req.prefix = prefix;
    req.delimiter = "/";
    while (true) {
      HT_ASSIGN_OR_RETURN(aws::ListObjectsPage page, s3_.listObjectsV2(req));
      for (auto& p : page.common_prefixes) out.push_back(std::move(p));
      if (!page.is_truncated || page.next_continuation_token.empty()) break;
      req.continuation_token = page.next_continuation_token;
    }
    return out;
  };
  std::vector<std::string> bases =
      options_.prefixes.empty() ? std::vector<std::string>{""} : options_.prefixes;
  std::vector<std::string> out;
  for (std::string base : bases) {
    if (!base.empty() && base.back() != '/') base += '/';
    HT_ASSIGN_OR_RETURN(auto top, children(base + "AWSLogs/"));
    std::vector<std::string> accounts;
    for (const auto& c : top) {
      std::string seg = lastSegment(c);
      if (startsWith(seg, "o-")) {  // organisation trail: AWSLogs/o-ORG/ACCOUNT/
        HT_ASSIGN_OR_RETURN(auto members, children(c));
        for (const auto& m : members) {
          if (isAccountId(lastSegment(m))) accounts.push_back(m);
        }
      } else if (isAccountId(seg)) {
        accounts.push_back(c);
      }
    }
    for (const auto& a : accounts) {
      // CloudTrail/ only: CloudTrail-Digest/ holds hashes, CloudTrail-Insight/ another format.
      HT_ASSIGN_OR_RETURN(auto regions, children(a + "CloudTrail/"));
      for (auto& r : regions) out.push_back(std::move(r));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status S3Source::pollOnce() {
  auto prefixes = trailPrefixes();
  if (!prefixes.hasValue()) {
    health_.error(prefixes.status().message());
    return prefixes.status();
  }
  Status first_error;
  for (const auto& p : *prefixes) {
    if (stop_) break;
    Status st = pollPrefix(p);
    if (!st.isOk() && first_error.isOk()) first_error = st;
  }
  // Objects older than any listing looks back can be forgotten.
  auto keep =
      std::chrono::minutes(std::max(options_.lookback_minutes, options_.initial_lookback_minutes)) +
      std::chrono::hours(48);
  (void)store_.pruneObjectsRead(clock_.now() - keep);
  if (first_error.isOk()) health_.polled();
  return first_error;
}

Status S3Source::pollPrefix(const std::string& prefix) {
  const std::string source = "s3:" + options_.bucket;
  HT_ASSIGN_OR_RETURN(auto checkpoint, store_.getCheckpoint(source, prefix));
  TimePoint now = clock_.now();
  std::optional<TimePoint> parsed = checkpoint ? parseTime(*checkpoint) : std::nullopt;
  // Plain values rather than an optional: GCC 12 misreads the optional's state below.
  bool have_newest = parsed.has_value();
  TimePoint newest = parsed.value_or(TimePoint{});
  TimePoint from = have_newest ? newest - std::chrono::minutes(options_.lookback_minutes)
                               : now - std::chrono::minutes(options_.initial_lookback_minutes);
  // Keys sort by day directory, then by the time in the file name: listing after the day
  // directory of `from` returns that day and everything later.
  std::string start_after = prefix + dayPath(from);
  auto listed = s3_.listAll(options_.bucket, prefix, start_after);
  if (!listed.hasValue()) {
    health_.error(listed.status().message());
    return listed.status();
  }
  std::vector<aws::S3Object> objects = std::move(listed).value();
  std::sort(objects.begin(), objects.end(), [](const aws::S3Object& a, const aws::S3Object& b) {
    return cloudTrailKeyTime(a.key) < cloudTrailKeyTime(b.key) ||
           (cloudTrailKeyTime(a.key) == cloudTrailKeyTime(b.key) && a.key < b.key);
  });
  Status first_error;
  bool stopped = false;
  for (const auto& o : objects) {
    if (stop_) {
      stopped = true;
      break;  // the object in hand is finished; the rest waits for the next start
    }
    if (!endsWith(o.key, ".json.gz") && !endsWith(o.key, ".json")) continue;
    if (isDigestKey(o.key)) continue;
    std::optional<TimePoint> t = cloudTrailKeyTime(o.key);
    if (t && *t < from) continue;
    ObjectReader::Outcome outcome = reader_.read(options_.bucket, o.key, health_);
    if (outcome == ObjectReader::Outcome::kFailed) {
      if (first_error.isOk())
        first_error = Status::ioError("could not read s3://" + options_.bucket + "/" + o.key);
      continue;  // not marked read: the next poll tries it again
    }
    if (t && (!have_newest || *t > newest)) {
      have_newest = true;
      newest = *t;
      HT_RETURN_IF_ERROR(store_.putCheckpoint(source, prefix, formatTime(newest), clock_.now()));
    }
  }
  // CloudTrail writes a file only when a region has events, so a quiet prefix's checkpoint can
  // stay days behind while pollOnce forgets objects by the time they were read: its listing
  // would then reach objects no longer remembered and read them again. After a complete listing
  // the checkpoint moves up to a day ago (far beyond any delivery delay, and well inside what
  // pollOnce keeps), which changes nothing for a prefix with recent files.
  const TimePoint horizon = now - std::chrono::hours(24);
  if (have_newest && newest < horizon && !stopped && first_error.isOk()) {
    HT_RETURN_IF_ERROR(store_.putCheckpoint(source, prefix, formatTime(horizon), clock_.now()));
  }
  return first_error;
}

// ---- SQS ------------------------------------------------------------------------------------

VisibilityKeeper::VisibilityKeeper(aws::SqsClient* client, std::string queue_url,
                                   std::string receipt_handle, int timeout_seconds,
                                   HealthTracker& health, const Clock& clock)
    : client_(client),
      queue_url_(std::move(queue_url)),
      receipt_handle_(std::move(receipt_handle)),
      timeout_seconds_(timeout_seconds),
      health_(health),
      clock_(clock) {
  if (client_ == nullptr) return;
  thread_ = std::thread([this, done = done_.get_token()] {
    // A third of the timeout: two extensions can fail before the message reappears.
    auto every = std::chrono::milliseconds(timeout_seconds_ * 1000 / 3);
    while (clock_.waitFor(every, done)) {
      Status st = client_->changeVisibility(queue_url_, receipt_handle_, timeout_seconds_);
      if (st.isOk()) {
        ++extensions_;
      } else {
        health_.error("extending visibility: " + st.message());
      }
    }
  });
}

VisibilityKeeper::~VisibilityKeeper() {
  done_.request_stop();
  if (thread_.joinable()) thread_.join();
}

SqsSource::SqsSource(const config::SqsSourceOptions& options, aws::SqsClient& sqs,
                     ObjectReader& reader, Pipeline& pipeline, HealthTracker& health,
                     const Clock& clock, const std::atomic<bool>& stop, aws::SqsClient* heartbeat)
    : options_(options),
      sqs_(sqs),
      heartbeat_(heartbeat),
      reader_(reader),
      pipeline_(pipeline),
      health_(health),
      clock_(clock),
      stop_(stop) {}

Status SqsSource::pollOnce() {
  aws::ReceiveRequest req;
  req.max_messages = options_.max_messages;
  req.wait_seconds = options_.wait_seconds;
  req.visibility_timeout = options_.visibility_timeout_seconds;
  int corrupt = 0;
  auto messages = sqs_.receiveMessages(options_.queue_url, req, &corrupt);
  if (!messages.hasValue()) {
    health_.error(messages.status().message());
    return messages.status();
  }
  for (int i = 0; i < corrupt; ++i) health_.badObject("sqs message", "MD5 of body does not match");
  health_.polled();
  for (const auto& m : *messages) {
    if (stop_) break;  // not deleted: it comes back after its visibility timeout
    const std::string name = "sqs message " + m.message_id;
    auto notice = parseNotice(m.body);
    if (!notice.hasValue()) {
      // A poison message stays on the queue; its redrive policy moves it to the dead-letter
      // queue after maxReceiveCount receives.
      health_.badObject(name, notice.status().message() + " (receive " +
                                  std::to_string(m.receive_count) + ", left for the DLQ)");
      log::warn("source " + health_.source() + ": " + name + ": " + notice.status().message());
      continue;
    }
    bool done = true;
    if (notice->kind == NoticeKind::kEventBridge) {
      auto r = pipeline_.process("sqs:" + m.message_id, notice->inner);
      if (!r.hasValue()) {
        health_.error(r.status().message());
        done = false;
      } else {
        health_.dataArrived(name, *r);
      }
    }
    {
      // Slow objects: while this message's objects are read, its visibility is extended before
      // it could lapse (on a thread of its own, with a client of its own), so that no other
      // consumer starts on it meanwhile.
      VisibilityKeeper keeper(heartbeat_, options_.queue_url, m.receipt_handle,
                              options_.visibility_timeout_seconds, health_, clock_);
      for (const auto& o : notice->objects) {
        ObjectReader::Outcome outcome = reader_.read(o.bucket, o.key, health_);
        if (outcome == ObjectReader::Outcome::kFailed) done = false;
      }
    }
    if (notice->kind == NoticeKind::kTestEvent) health_.heartbeat();
    if (!done) continue;  // retried when the message becomes visible again
    Status st = sqs_.deleteMessage(options_.queue_url, m.receipt_handle);
    if (!st.isOk()) health_.error(st.message());
  }
  return Status::ok();
}

// ---- last used ------------------------------------------------------------------------------

LastUsedSource::LastUsedSource(aws::IamClient& iam, Pipeline& pipeline, HealthTracker& health)
    : iam_(iam), pipeline_(pipeline), health_(health) {}

Status LastUsedSource::pollOnce() {
  auto pass = pipeline_.pollLastUsed(iam_);
  if (!pass.hasValue()) {
    health_.error(pass.status().message());
    return pass.status();
  }
  for (const auto& e : pass->report.error_messages) health_.error(e);
  // Each key checked is a "record": a pass that checked keys is the data of this source.
  ProcessResult r;
  r.records = static_cast<uint64_t>(pass->report.checked);
  r.new_triggers = std::move(pass->new_triggers);
  health_.dataArrived("GetAccessKeyLastUsed x" + std::to_string(pass->report.checked), r);
  return Status::ok();
}

}  // namespace ht::live
