// Messages that announce new CloudTrail objects, as they arrive on an SQS queue or an SNS
// subscription: S3 event notifications (direct, or wrapped in an SNS envelope), CloudTrail's own
// SNS notice ({"s3Bucket": ..., "s3ObjectKey": [...]}), and S3's s3:TestEvent. Each becomes a
// list of objects to fetch.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ht::live {

struct ObjectRef {
  std::string bucket;
  std::string key;    // URL-decoded (S3 event notifications encode keys, '+' for space)
  uint64_t size = 0;  // 0 when the message does not say
};

enum class NoticeKind {
  kS3Event,           // Records[].s3.{bucket.name, object.key}
  kCloudTrailNotice,  // s3Bucket + s3ObjectKey[]
  kTestEvent,         // s3:TestEvent: nothing to fetch, delete the message
  kEventBridge,       // an EventBridge event (detail-type "AWS API Call via CloudTrail"): the
                      // body itself holds the record, nothing to fetch
};

struct Notice {
  NoticeKind kind = NoticeKind::kS3Event;
  std::vector<ObjectRef> objects;  // only ObjectCreated:* events; digest files left out
  std::string inner;               // kEventBridge: the event JSON to feed the reader
};

// Parses one message body. An SNS envelope ({"Type":"Notification","Message":"..."}) is opened
// and its Message parsed as above. InvalidArgument naming what is wrong for anything else
// (a poison message), so the caller can count it and leave it to the dead-letter queue.
Result<Notice> parseNotice(std::string_view body);

// Whether an S3 key is a CloudTrail digest file (…/CloudTrail-Digest/…), which holds hashes,
// not events.
bool isDigestKey(std::string_view key);

// Decodes an S3 event key: %XX escapes and '+' for space. Malformed escapes are kept as text.
std::string decodeS3EventKey(std::string_view key);

}  // namespace ht::live
