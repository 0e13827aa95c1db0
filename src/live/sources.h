// The live sources of `honeytrail serve`: S3 polling, SQS, and the last-used safety net (the
// push endpoint is in push_server.h). Each keeps its position in the store and reports its health
// through a HealthTracker, so that `honeytrail sources` can tell a quiet pipeline from a blind one.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "aws/iam_client.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "config/options.h"
#include "core/clock.h"
#include "live/pipeline.h"
#include "live/source_store.h"

namespace ht::live {

// Counters and times of one source, kept in memory and written to the store after each poll.
// Thread-safe: the push endpoint updates it from several connection threads.
class HealthTracker {
 public:
  HealthTracker(SourceStore& store, std::string source, std::string kind, const Clock& clock);
  void started();
  void polled();  // a poll (or request) completed, with or without new data
  void dataArrived(const std::string& object, const ProcessResult& result);
  void heartbeat();  // proof of life that carries no records (an EventBridge scheduled event)
  void badObject(const std::string& object, const std::string& why);
  void error(const std::string& message);
  live::SourceHealth snapshot() const;
  Status flush();
  const std::string& source() const { return source_; }

 private:
  SourceStore& store_;
  const std::string source_;
  const Clock& clock_;
  mutable std::mutex mu_;
  live::SourceHealth h_;
};

// How a source's health reads now: "ok", "blind" (no new data for longer than blind_after, or
// never any since it started) or "failing" (its last attempt failed and it has had no data
// since). The reason is one line for people.
struct HealthAssessment {
  std::string status;
  std::string reason;
};
HealthAssessment assessHealth(const live::SourceHealth& h, TimePoint now,
                              std::chrono::minutes blind_after);

// Reads one S3 object into the pipeline exactly once, whichever source names it (S3 listing,
// an SQS notice, a pushed CloudTrail notice): objects read are recorded in the store.
class ObjectReader {
 public:
  ObjectReader(aws::S3Client& s3, Pipeline& pipeline, SourceStore& store, const Clock& clock);
  enum class Outcome { kRead, kAlreadyRead, kBad, kFailed };
  // kFailed: could not fetch or store (try again later); kBad: fetched but unreadable (recorded
  // as read, so that a broken file is reported once, not every poll).
  Outcome read(const std::string& bucket, const std::string& key, HealthTracker& health,
               ProcessResult* result = nullptr);

 private:
  aws::S3Client& s3_;
  Pipeline& pipeline_;
  SourceStore& store_;
  const Clock& clock_;
};

// The time in a CloudTrail file name (…_CloudTrail_us-east-1_20261128T1805Z_abc.json.gz).
std::optional<TimePoint> cloudTrailKeyTime(std::string_view key);

class S3Source {
 public:
  S3Source(const config::S3SourceOptions& options, aws::S3Client& s3, ObjectReader& reader,
           SourceStore& store, HealthTracker& health, const Clock& clock,
           const std::atomic<bool>& stop);
  // Discovers the trail prefixes and reads every new file under each.
  Status pollOnce();
  // AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/ under every configured prefix.
  Result<std::vector<std::string>> trailPrefixes();

 private:
  Status pollPrefix(const std::string& prefix);
  config::S3SourceOptions options_;
  aws::S3Client& s3_;
  ObjectReader& reader_;
  SourceStore& store_;
  HealthTracker& health_;
  const Clock& clock_;
  const std::atomic<bool>& stop_;
};

// Keeps one SQS message invisible to other consumers while it is in hand: every third of the
// visibility timeout on the clock, ChangeMessageVisibility from a thread of its own. The client
// must be one no other thread uses (AwsClient keeps per-call state); nullptr keeps nothing.
class VisibilityKeeper {
 public:
  VisibilityKeeper(aws::SqsClient* client, std::string queue_url, std::string receipt_handle,
                   int timeout_seconds, HealthTracker& health, const Clock& clock);
  ~VisibilityKeeper();
  VisibilityKeeper(const VisibilityKeeper&) = delete;
  VisibilityKeeper& operator=(const VisibilityKeeper&) = delete;
  int extensions() const { return extensions_; }

 private:
  aws::SqsClient* client_;
  std::string queue_url_;
  std::string receipt_handle_;
  int timeout_seconds_;
  HealthTracker& health_;
  const Clock& clock_;
  std::stop_source done_;  // the message is let go: ends the wait at once
  std::atomic<int> extensions_{0};
  std::thread thread_;
};

class SqsSource {
 public:
  // heartbeat: a second SQS client (of its own AWS session) for VisibilityKeeper; nullptr means
  // a message's visibility is not extended while it is read.
  SqsSource(const config::SqsSourceOptions& options, aws::SqsClient& sqs, ObjectReader& reader,
            Pipeline& pipeline, HealthTracker& health, const Clock& clock,
            const std::atomic<bool>& stop, aws::SqsClient* heartbeat = nullptr);
  // One long poll and the messages it returned.
  Status pollOnce();

 private:
  config::SqsSourceOptions options_;
  aws::SqsClient& sqs_;
  aws::SqsClient* heartbeat_;
  ObjectReader& reader_;
  Pipeline& pipeline_;
  HealthTracker& health_;
  const Clock& clock_;
  const std::atomic<bool>& stop_;
};

// The safety net as a source: a use that GetAccessKeyLastUsed reports and the store has not
// seen becomes a trigger with the service and region AWS recorded.
class LastUsedSource {
 public:
  LastUsedSource(aws::IamClient& iam, Pipeline& pipeline, HealthTracker& health);
  // One pass of the pipeline's safety net, recorded in the source's health.
  Status pollOnce();

 private:
  aws::IamClient& iam_;
  Pipeline& pipeline_;
  HealthTracker& health_;
};

}  // namespace ht::live
