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

bool isUpperBase32(char c) { return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'); }
bool isIdChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// What one file produced, handed from a worker to the thread that delivers results in order.
struct FileResult {
  bool done = false;
  std::vector<FoundEvent> found;
  std::vector<ingest::InputProblem> problems;
  ingest::ReadStats stats;
  uint64_t candidates = 0;
};

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
  for (const auto& n : index.needles()) {
    // ID-shaped needles are found by the ID scan; everything else (user names) by substring.
    bool id_shaped = n.size() >= 20 && n[0] == 'A' &&
                     std::all_of(n.begin(), n.end(), [](char c) { return isIdChar(c); });
    if (!id_shaped && n.size() >= 3) names_.push_back("\"" + n + "\"");
  }
}

bool Scanner::isCandidate(std::string_view text) const {
  // IAM unique IDs and access key IDs: 'A', three upper-case letters, then 16+ of [A-Z0-9].
  // Find each such run and ask the index; a hash lookup per run, whatever the token count.
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const void* hit = std::memchr(p, 'A', static_cast<size_t>(end - p));
    if (hit == nullptr) break;
    const char* s = static_cast<const char*>(hit);
    if (s > text.data() && isIdChar(s[-1])) {
      p = s + 1;
      continue;
    }
    const char* e = s;
    while (e < end && isIdChar(*e)) ++e;
    size_t len = static_cast<size_t>(e - s);
    if (len >= 20 && len <= 128 && isUpperBase32(s[1]) && isUpperBase32(s[2]) &&
        isUpperBase32(s[3])) {
      std::string_view id(s, len);
      if (index_.byKeyId(id) != nullptr || index_.byPrincipalId(id) != nullptr) return true;
    }
    p = e > s ? e : s + 1;
  }
  for (const auto& name : names_) {
    if (text.find(name) != std::string_view::npos) return true;
  }
  return false;
}

Status Scanner::scan(const std::vector<std::string>& files, const ScanOptions& options,
                     const std::function<void(FoundEvent&&)>& on_match,
                     const std::function<void(const ingest::InputProblem&)>& on_problem,
                     ScanSummary* summary) {
  std::vector<FileResult> results(files.size());
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    for (size_t i = next++; i < files.size(); i = next++) {
      FileResult local;
      CollectingSink sink(*this, index_, options, &local);
      Status st = ingest::readFile(files[i], sink, options.read, &local.stats);
      (void)st;  // every failure is already a problem in the sink
      local.done = true;
      std::lock_guard lock(mu);
      results[i] = std::move(local);
      cv.notify_all();
    }
  };
  int threads = std::max(1, std::min<int>(options.threads, static_cast<int>(files.size())));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);

  std::unordered_set<std::string> seen_events;
  ScanSummary s;
  s.files = files.size();
  for (size_t i = 0; i < files.size(); ++i) {
    FileResult r;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return results[i].done; });
      r = std::move(results[i]);
      results[i] = FileResult{};
    }
    s.bytes_read += r.stats.bytes_read;
    s.bytes_decompressed += r.stats.bytes_decompressed;
    s.records += r.stats.records;
    s.candidates += r.candidates;
    for (const auto& p : r.problems) {
      ++s.problems;
      on_problem(p);
    }
    for (auto& f : r.found) {
      // CloudTrail delivers some events more than once, in different files.
      if (!f.event.event_id.empty() && !seen_events.insert(f.event.event_id).second) {
        ++s.duplicates;
        continue;
      }
      ++s.matched_events;
      on_match(std::move(f));
    }
    if (options.on_file_done) options.on_file_done(i + 1, files.size(), s.bytes_decompressed);
  }
  for (auto& t : pool) t.join();
  if (summary) *summary = s;
  return Status::ok();
}

}  // namespace ht::detect
