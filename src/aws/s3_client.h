// A small S3 reader: ListObjectsV2 (prefix, start-after, continuation) and GetObject (optionally
// a byte range), with virtual-hosted or path-style addressing. It feeds CloudTrail ingestion.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "core/clock.h"
#include "core/status.h"

namespace ht::aws {

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  std::optional<TimePoint> last_modified;
};

struct ListObjectsPage {
  std::vector<S3Object> objects;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_continuation_token;
  int key_count = 0;
};

struct ListObjectsRequest {
  std::string bucket;
  std::string prefix;
  std::string start_after;
  std::string continuation_token;
  std::string delimiter;
  int max_keys = 1000;
};

// Pure parser of a ListBucketResult (v2; v1 documents parse too, with NextMarker ignored).
Result<ListObjectsPage> parseListObjectsV2Response(std::string_view xml);

enum class S3Addressing { kAuto, kVirtualHosted, kPathStyle };

class S3Client {
 public:
  // endpoint: "https://s3.us-east-1.amazonaws.com" or a custom one (then path-style under kAuto).
  S3Client(AwsClient& client, std::string endpoint, std::string region, bool custom_endpoint,
           S3Addressing addressing = S3Addressing::kAuto);

  Result<ListObjectsPage> listObjectsV2(const ListObjectsRequest& request);
  // Every object under the prefix after start_after, following continuation tokens.
  Result<std::vector<S3Object>> listAll(const std::string& bucket, const std::string& prefix,
                                        const std::string& start_after = "");
  // range: "bytes=0-1023" style, "" for the whole object.
  Result<std::string> getObject(const std::string& bucket, const std::string& key,
                                const std::string& range = "");
  // The URL used for bucket/key, for tests and logs.
  std::string objectUrl(const std::string& bucket, const std::string& key,
                        const std::string& query = "") const;

 private:
  AwsClient& client_;
  std::string endpoint_;
  std::string region_;
  bool path_style_;
  bool custom_endpoint_ = false;
};

}  // namespace ht::aws
