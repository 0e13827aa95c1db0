#include "detect/scanner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace ht::detect {
namespace {

// Up to this many user names are searched for one by one; beyond, each JSON string is looked up.
constexpr size_t kMaxSubstringNames = 32;
bool isIdChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// What one file produced, handed from a worker to the thread that delivers results in order.
struct FileResult {
  bool done = false;
  std::vector<FoundEvent> found;
  std::vector<ingest::InputProblem> problems;
  ingest::ReadStats stats;
  uint64_t candidates = 0;
  std::optional<TimePoint> newest_event_time;
};

void keepNewest(std::optional<TimePoint>& newest, const std::optional<TimePoint>& t) {
  if (t && (!newest || *t > *newest)) newest = t;
}

// Adds one input's result to the summary and hands its problems and matches on, dropping events
// already delivered (CloudTrail delivers some events more than once, in different files).
void deliverResult(FileResult& r, std::unordered_set<std::string>& seen_events, ScanSummary& s,
                   const std::function<void(FoundEvent&&)>& on_match,
                   const std::function<void(const ingest::InputProblem&)>& on_problem) {
  s.bytes_read += r.stats.bytes_read;
  s.bytes_decompressed += r.stats.bytes_decompressed;
  s.records += r.stats.records;
  s.files_skipped += r.stats.inputs_skipped;
  s.candidates += r.candidates;
  keepNewest(s.newest_event_time, r.newest_event_time);
  for (const auto& p : r.problems) {
    ++s.problems;
    on_problem(p);
  }
  for (auto& f : r.found) {
    if (!f.event.event_id.empty() && !seen_events.insert(f.event.event_id).second) {
      ++s.duplicates;
      continue;
    }
    ++s.matched_events;
    on_match(std::move(f));
  }
}

class CollectingSink final : public ingest::RecordSink {
 public:
  CollectingSink(const Scanner& scanner, const TokenIndex& index, const ScanOptions& options,
                 FileResult* out)
      : scanner_(scanner), index_(index), options_(options), out_(out) {}

  void record(ingest::Record&& r) override {
    bool candidate = scanner_.isCandidate(r.json);
    if (!candidate && !options_.validate_all) return;
    auto parsed = parseEvent(r.json);
    if (!parsed.hasValue()) {
      out_->problems.push_back(ingest::InputProblem{
          r.source, r.offset, "wrong-type",
          "record " + std::to_string(r.index) + ": " + parsed.status().message()});
      return;
    }
    keepNewest(out_->newest_event_time, parsed->time);
    if (!candidate) return;
    ++out_->candidates;
    std::vector<Match> matches = matchEvent(*parsed, index_);
    if (matches.empty()) return;
    FoundEvent f;
    f.source = r.source;
    f.index = r.index;
    f.offset = r.offset;
    f.record = std::move(r.json);
    f.classification = classify(*parsed);
    f.event = std::move(parsed).value();
    f.matches = std::move(matches);
    out_->found.push_back(std::move(f));
  }

  void problem(const ingest::InputProblem& p) override { out_->problems.push_back(p); }

 private:
  const Scanner& scanner_;
  const TokenIndex& index_;
  const ScanOptions& options_;
  FileResult* out_;
};

}  // namespace

Scanner::Scanner(const TokenIndex& index) : index_(index) {
  std::vector<uint32_t> prefixes;
  for (const auto& n : index.needles()) {
    // ID-shaped needles are found by the ID scan; everything else (user names) by substring.
    bool id_shaped = n.size() >= 20 && n[0] == 'A' &&
                     std::all_of(n.begin(), n.end(), [](char c) { return isIdChar(c); });
    if (!id_shaped && n.size() >= 3) names_.push_back("\"" + n + "\"");
    if (id_shaped) {
      uint32_t prefix = 0;
      std::memcpy(&prefix, n.data(), 4);
      prefixes.push_back(prefix);
    }
  }
  id_prefixes_ = PrefixScanner(std::move(prefixes));
}

bool Scanner::isCandidate(std::string_view text) const {
  // IAM unique IDs and access key IDs: a registered four-character prefix ("AKIA", "AIDA"), then
  // [A-Z0-9] up to 20-128 characters. The prefix scan finds each start (many positions compared
  // at once); a run that starts there is measured and looked up: one hash lookup per occurrence,
  // whatever the number of tokens.
  const char* begin = text.data();
  const char* end = begin + text.size();
  size_t at = 0;
  while (text.size() - at >= 20) {
    at = id_prefixes_.find(text, at);
    if (text.size() - at < 20) break;
    const char* s = begin + at;
    if (s > begin && isIdChar(s[-1])) {
      ++at;
      continue;
    }
    const char* e = s + 4;
    while (e < end && isIdChar(*e)) ++e;
    size_t len = static_cast<size_t>(e - s);
    if (len >= 20 && len <= 128) {
      std::string_view id(s, len);
      if (index_.byKeyId(id) != nullptr || index_.byPrincipalId(id) != nullptr) return true;
    }
    at = static_cast<size_t>(e - begin);
  }
  if (names_.size() <= kMaxSubstringNames) {
    for (const auto& name : names_) {
      if (text.find(name) != std::string_view::npos) return true;
    }
    return false;
  }
  // Many user names: look every short JSON string up instead of searching for each name.
  const char* p = begin;
  while (p < end) {
    const char* open = static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end - p)));
    if (open == nullptr) break;
    const char* close =
        static_cast<const char*>(std::memchr(open + 1, '"', static_cast<size_t>(end - open - 1)));
    if (close == nullptr) break;
    size_t len = static_cast<size_t>(close - open - 1);
    if (len >= 1 && len <= 64 && index_.byUserName(std::string_view(open + 1, len)) != nullptr) {
      return true;
    }
    p = close + 1;
  }
  return false;
}

Status Scanner::scanBuffer(const std::string& source, std::string_view bytes,
                           const ScanOptions& options,
                           const std::function<void(FoundEvent&&)>& on_match,
                           const std::function<void(const ingest::InputProblem&)>& on_problem,
                           ScanSummary* summary) {
  FileResult r;
  CollectingSink sink(*this, index_, options, &r);
  ingest::ReadOptions read = options.read;
  if (!options.validate_all) {
    read.text_filter = [this](std::string_view t) { return isCandidate(t); };
    read.validate_records = false;
  }
  Status st = ingest::readBuffer(source, bytes, sink, read, &r.stats);
  ScanSummary s;
  s.files = 1;
  std::unordered_set<std::string> seen;
  deliverResult(r, seen, s, on_match, on_problem);
  if (summary) *summary = s;
  return st;
}

Status Scanner::scan(const std::vector<std::string>& files, const ScanOptions& options,
                     const std::function<void(FoundEvent&&)>& on_match,
                     const std::function<void(const ingest::InputProblem&)>& on_problem,
                     ScanSummary* summary) {
  // One file, read with this thread's buffers into its own result.
  auto process = [&](size_t i, ingest::ReadBuffers& buffers) {
    FileResult local;
    CollectingSink sink(*this, index_, options, &local);
    ingest::ReadOptions read = options.read;
    // Hunting: a file whose text names no token holds no use of one, so it is never parsed.
    if (!options.validate_all) {
      read.text_filter = [this](std::string_view t) { return isCandidate(t); };
      read.validate_records = false;  // candidates are parsed in full below; the rest never
    }
    Status st = ingest::readFile(files[i], sink, read, &local.stats, &buffers);
    (void)st;  // every failure is already a problem in the sink
    local.done = true;
    return local;
  };

  std::unordered_set<std::string> seen_events;
  ScanSummary s;
  s.files = files.size();
  auto stopAsked = [&] { return options.stop && options.stop(); };
  auto deliver = [&](size_t i, FileResult& r) {
    deliverResult(r, seen_events, s, on_match, on_problem);
    if (options.on_file_done) options.on_file_done(i + 1, files.size(), s.bytes_decompressed);
  };

  int threads = std::max(1, std::min<int>(options.threads, static_cast<int>(files.size())));
  if (threads == 1) {
    // No hand-over between threads: read and deliver each file in turn.
    ingest::ReadBuffers buffers;
    for (size_t i = 0; i < files.size(); ++i) {
      if (stopAsked()) {
        s.stopped = true;
        break;
      }
      FileResult r = process(i, buffers);
      deliver(i, r);
    }
  } else {
    std::vector<FileResult> results(files.size());
    std::mutex mu;
    std::condition_variable cv;
    std::atomic<size_t> next{0};
    std::atomic<bool> cancelled{false};
    auto worker = [&]() {
      ingest::ReadBuffers buffers;
      for (size_t i = next++; i < files.size() && !cancelled.load(); i = next++) {
        FileResult local = process(i, buffers);
        std::lock_guard lock(mu);
        results[i] = std::move(local);
        cv.notify_all();
      }
    };
    std::vector<std::thread> pool;
    // Joins the workers however this scope is left: a callback that throws (or a stop) must
    // never leave a joinable std::thread behind, which would end the process in std::terminate.
    struct JoinPool {
      std::vector<std::thread>& pool;
      std::atomic<bool>& cancelled;
      ~JoinPool() {
        cancelled = true;
        for (auto& t : pool) {
          if (t.joinable()) t.join();
        }
      }
    } join_pool{pool, cancelled};
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (size_t i = 0; i < files.size(); ++i) {
      if (stopAsked()) {
        s.stopped = true;
        break;
      }
      FileResult r;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return results[i].done; });
        r = std::move(results[i]);
        results[i] = FileResult{};
      }
      deliver(i, r);
    }
  }
  if (summary) *summary = s;
  return Status::ok();
}

}  // namespace ht::detect
