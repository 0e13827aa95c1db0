// Reading CloudTrail records out of whatever wraps them. The format is detected from the content,
// never the file name: CloudTrail delivery files ({"Records":[...]}), JSON lines of records,
// EventBridge "AWS API Call via CloudTrail" envelopes, CloudWatch Logs subscription payloads
// (base64 of gzip of {"logEvents":[{"message": record}]}), and LookupEvents output (records as
// escaped strings in "CloudTrailEvent"); any of them gzip-compressed or not.
//
// Bad input never stops a read: each problem is reported to the sink with the source and byte
// offset, counted, and the rest of the input is still read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ht::ingest {

enum class Format {
  kCloudTrailFile,  // {"Records":[...]}
  kJsonLines,       // one record (or one EventBridge envelope) per line
  kEventBridge,     // one envelope, or an array of them
  kCloudWatchLogs,  // subscription payload, possibly still base64 + gzip
  kLookupEvents,    // {"Events":[{"CloudTrailEvent":"{...}"}]}
  kUnknown,
};
const char* formatName(Format format);

// One CloudTrail record: the object that carries eventID, userIdentity, eventName, ...
struct Record {
  std::string json;     // the record itself, as JSON text
  std::string source;   // file path, or "-" for standard input
  uint64_t offset = 0;  // byte offset of the record in the decompressed input (best effort)
  uint64_t index = 0;   // position of the record in its source, from 0
  Format format = Format::kUnknown;
};

struct InputProblem {
  std::string source;
  uint64_t offset = 0;  // in the decompressed input; for gzip errors, in the compressed input
  // Stable kinds: truncated-gzip, bad-gzip, bad-base64, invalid-json, not-an-object, wrong-type,
  // too-large, too-deep, invalid-utf8, not-cloudtrail, read-error.
  std::string kind;
  std::string message;  // says what and where; never more than a short excerpt of the input
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void record(Record&& record) = 0;
  virtual void problem(const InputProblem& problem) = 0;
};

struct ReadOptions {
  size_t max_record_bytes = 64u << 20;         // a larger record is a too-large problem, skipped
  size_t max_decompressed_bytes = 8ull << 30;  // a gzip bomb stops here with a problem
  int max_depth = 256;                         // deeper nesting is a too-deep problem
  // When set, decompressed JSON text for which this returns false is not split into records at
  // all (hunt: text that mentions no token cannot hold a use). Such input is counted as skipped,
  // not checked for JSON or UTF-8 problems; text that does not even start like JSON is still read
  // (and reported) as usual.
  std::function<bool(std::string_view text)> text_filter;
  // false (hunt): records of a CloudTrail file are not walked value by value to prove their
  // syntax; each is skipped over by structure, and with a text_filter set, a record for which it
  // returns false is not delivered at all (still counted as read). Whoever parses the records
  // that are delivered still finds their errors.
  bool validate_records = true;
};

struct ReadStats {
  uint64_t bytes_read = 0;          // as stored (compressed or not)
  uint64_t bytes_decompressed = 0;  // the JSON text scanned
  uint64_t records = 0;
  uint64_t problems = 0;
  uint64_t inputs_skipped = 0;  // passed over by ReadOptions::text_filter
};

// Detects the format of decompressed text.
Format detectFormat(std::string_view text);

// Working memory for reading one input after another on one thread: the file's bytes and its
// decompressed text. Reused, the buffers stop allocating (and the kernel stops handing out fresh
// zeroed pages) once they have reached the largest input's size.
struct ReadBuffers {
  std::string file;
  std::string text;
};

// Reads every record of one input held in memory (gzip or not). Returns non-OK only when nothing
// at all could be read (the problem is also reported to the sink).
Status readBuffer(const std::string& source, std::string_view bytes, RecordSink& sink,
                  const ReadOptions& options, ReadStats* stats, ReadBuffers* buffers = nullptr);
// Reads a file ("-" = standard input).
Status readFile(const std::string& path, RecordSink& sink, const ReadOptions& options,
                ReadStats* stats, ReadBuffers* buffers = nullptr);
// Files as given, directories walked recursively (sorted), and glob patterns expanded.
// A path that matches nothing is an error naming it.
Result<std::vector<std::string>> expandPaths(const std::vector<std::string>& paths);

}  // namespace ht::ingest
