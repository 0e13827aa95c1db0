// The detection pipeline over files: read records (ingest), keep only candidates (records whose
// raw text holds an ID-shaped string the TokenIndex knows, or a honey user's name), parse those,
// match, classify, and de-duplicate on eventID. Files are spread over worker threads; matches are
// delivered in input order, so output is the same whatever the thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "detect/classify.h"
#include "detect/event.h"
#include "detect/matcher.h"
#include "detect/prefix_scan.h"
#include "ingest/reader.h"

namespace ht::detect {

struct FoundEvent {
  std::string source;
  uint64_t index = 0;   // record position in its source
  uint64_t offset = 0;  // byte offset in the decompressed source
  std::string record;   // the record's JSON text
  CloudTrailEvent event;
  Classification classification;
  std::vector<Match> matches;
};

struct ScanOptions {
  int threads = 1;
  // Parse and type-check every record, not only candidates: slower, but reports wrong-typed
  // records anywhere (ingest does this; hunt does not).
  bool validate_all = false;
  ingest::ReadOptions read;
  // Called on the calling thread after each file's results are delivered (progress display).
  std::function<void(size_t files_done, size_t files_total, uint64_t bytes_decompressed)>
      on_file_done;
  // Asked on the calling thread before each file is delivered: true stops the scan early
  // (a caller whose storage failed). Workers finish the file in hand and are joined before
  // scan() returns; files not yet delivered are left unread.
  std::function<bool()> stop;
};

struct ScanSummary {
  uint64_t files = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_decompressed = 0;
  uint64_t records = 0;
  uint64_t candidates = 0;
  uint64_t matched_events = 0;
  uint64_t duplicates = 0;  // events seen again (same eventID) and dropped
  uint64_t problems = 0;
  uint64_t files_skipped = 0;  // mention no token at all: not split into records (hunt only)
  bool stopped = false;        // options.stop ended the scan before every file was delivered
  // Newest eventTime of every record parsed (all of them with validate_all): how current a
  // live source is.
  std::optional<TimePoint> newest_event_time;
};

class Scanner {
 public:
  explicit Scanner(const TokenIndex& index);

  // on_match and on_problem are called from the calling thread only, in input order. Worker
  // threads are always joined before scan() returns or lets a callback's exception through.
  Status scan(const std::vector<std::string>& files, const ScanOptions& options,
              const std::function<void(FoundEvent&&)>& on_match,
              const std::function<void(const ingest::InputProblem&)>& on_problem,
              ScanSummary* summary);

  // One input already in memory (an S3 object, a pushed body), on the calling thread, with the
  // same matching, validation and eventID de-duplication as scan().
  Status scanBuffer(const std::string& source, std::string_view bytes, const ScanOptions& options,
                    const std::function<void(FoundEvent&&)>& on_match,
                    const std::function<void(const ingest::InputProblem&)>& on_problem,
                    ScanSummary* summary);

  // Whether a record's raw text can involve a token at all (the pre-filter).
  bool isCandidate(std::string_view record_json) const;

 private:
  const TokenIndex& index_;
  std::vector<std::string> names_;  // user names and ARNs, searched as plain substrings
  // First four bytes of every registered ID ("AKIA", "AIDA", ...): a run that starts otherwise
  // cannot be a token, so it is passed over without being measured or hashed.
  PrefixScanner id_prefixes_{{}};
};

}  // namespace ht::detect
