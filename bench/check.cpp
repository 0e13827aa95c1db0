// ht_bench_check: compares what `honeytrail hunt --output json` printed with the corpus's
// ground truth. Exit 0 when every expected event was reported once with exactly the expected
// trigger classes, nothing else was reported, and (given --summary) the duplicate count agrees.
//
//   ht_bench_check --corpus DIR --hunt HUNT_STDOUT --mode key-only|registry [--summary STDERR]
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ht::bench {
namespace {

using nlohmann::json;
using Classes = std::set<std::string>;

struct Expected {
  Classes classes;
  std::string kind;
  int copies = 1;
};

int usage() {
  std::cerr << "usage: ht_bench_check --corpus DIR --hunt FILE --mode key-only|registry "
               "[--summary FILE]\n";
  return 2;
}

int run(const std::string& corpus, const std::string& hunt_path, const std::string& mode,
        const std::string& summary_path) {
  std::map<std::string, Expected> expected;
  std::map<std::string, std::string> decoys;  // event ID -> kind
  uint64_t expected_dups = 0;
  try {
    std::ifstream truth(corpus + "/ground_truth.jsonl");
    if (!truth) {
      std::cerr << "ht_bench_check: no " << corpus << "/ground_truth.jsonl\n";
      return 2;
    }
    for (std::string line; std::getline(truth, line);) {
      json j = json::parse(line);
      auto classes = j.at(mode == "registry" ? "registry" : "key_only").get<std::vector<std::string>>();
      if (classes.empty()) continue;  // this mode cannot see it
      Expected e{Classes(classes.begin(), classes.end()), j.at("kind").get<std::string>(),
                 j.at("copies").get<int>()};
      expected_dups += static_cast<uint64_t>(e.copies - 1);
      expected[j.at("event_id").get<std::string>()] = std::move(e);
    }
    std::ifstream decoy_file(corpus + "/decoys.jsonl");
    for (std::string line; std::getline(decoy_file, line);) {
      json j = json::parse(line);
      decoys[j.at("event_id").get<std::string>()] = j.at("kind").get<std::string>();
    }
  } catch (const std::exception& e) {
    std::cerr << "ht_bench_check: bad ground truth: " << e.what() << "\n";
    return 2;
  }

  std::ifstream hunt(hunt_path);
  if (!hunt) {
    std::cerr << "ht_bench_check: cannot read " << hunt_path << "\n";
    return 2;
  }
  std::vector<std::string> failures;
  std::map<std::string, int> reported;
  uint64_t lines = 0, correct = 0, wrong_class = 0, unexpected = 0, decoy_hits = 0, repeats = 0;
  for (std::string line; std::getline(hunt, line);) {
    if (line.empty()) continue;
    ++lines;
    json j;
    try {
      j = json::parse(line);
    } catch (const std::exception& e) {
      failures.push_back("hunt printed a line that is not JSON: " + line.substr(0, 80));
      continue;
    }
    std::string id = j.value("event_id", "");
    Classes got;
    for (const auto& m : j.value("matches", json::array())) {
      got.insert(m.value("trigger_class", "?"));
    }
    if (++reported[id] > 1) {
      ++repeats;
      failures.push_back("event " + id + " reported more than once (de-duplication)");
      continue;
    }
    auto it = expected.find(id);
    if (it == expected.end()) {
      auto d = decoys.find(id);
      if (d != decoys.end()) {
        ++decoy_hits;
        failures.push_back("decoy " + id + " (" + d->second + ") reported: a false positive");
      } else {
        ++unexpected;
        failures.push_back("unexpected event " + id + " reported");
      }
      continue;
    }
    if (got != it->second.classes) {
      ++wrong_class;
      std::string g, w;
      for (const auto& c : got) g += (g.empty() ? "" : ",") + c;
      for (const auto& c : it->second.classes) w += (w.empty() ? "" : ",") + c;
      failures.push_back("event " + id + " (" + it->second.kind + "): classes [" + g +
                         "], expected [" + w + "]");
      continue;
    }
    ++correct;
  }
  uint64_t missing = 0;
  for (const auto& [id, e] : expected) {
    if (reported.count(id) == 0) {
      ++missing;
      failures.push_back("missed event " + id + " (" + e.kind + ")");
    }
  }
  std::string dup_note;
  if (!summary_path.empty()) {
    std::ifstream s(summary_path);
    std::stringstream ss;
    ss << s.rdbuf();
    std::string text = ss.str();
    std::smatch m;
    static const std::regex kDups(R"((\d+) duplicate\(s\))");
    if (!std::regex_search(text, m, kDups)) {
      failures.push_back("no hunt summary line in " + summary_path);
    } else {
      uint64_t dups = std::stoull(m[1].str());
      dup_note = ", duplicates dropped " + std::to_string(dups) + "/" + std::to_string(expected_dups);
      if (dups != expected_dups) {
        failures.push_back("hunt dropped " + std::to_string(dups) +
                           " duplicate(s) of matching events; the corpus holds " +
                           std::to_string(expected_dups));
      }
    }
  }
  bool pass = failures.empty();
  std::cout << "check[" << mode << "]: " << (pass ? "PASS" : "FAIL") << ": expected "
            << expected.size() << ", reported " << lines << ", correct " << correct
            << ", missed " << missing << ", wrong class " << wrong_class << ", unexpected "
            << unexpected << ", decoys reported " << decoy_hits << "/" << decoys.size()
            << ", repeats " << repeats << dup_note << "\n";
  for (size_t i = 0; i < failures.size() && i < 20; ++i) std::cout << "  " << failures[i] << "\n";
  if (failures.size() > 20) std::cout << "  ... and " << failures.size() - 20 << " more\n";
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace ht::bench

int main(int argc, char** argv) {
  std::string corpus, hunt, mode, summary;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--corpus") {
      corpus = argv[i + 1];
    } else if (a == "--hunt") {
      hunt = argv[i + 1];
    } else if (a == "--mode") {
      mode = argv[i + 1];
    } else if (a == "--summary") {
      summary = argv[i + 1];
    } else {
      return ht::bench::usage();
    }
  }
  if (argc % 2 == 0 || corpus.empty() || hunt.empty() || (mode != "key-only" && mode != "registry"))
    return ht::bench::usage();
  return ht::bench::run(corpus, hunt, mode, summary);
}
