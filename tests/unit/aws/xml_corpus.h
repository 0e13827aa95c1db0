// The IAM/STS/S3 XML documents under ../shared/testdata/iam, gathered at test time so that a new
// file there is picked up (and must be given expected values) without touching test code:
//   *.xml files (with botocore's expected parse in a sibling .json when there is one),
//   boto-legacy/*.jsonl (one XML body per line), and
//   botocore-protocol-tests/output__*.json (protocol conformance cases with XML bodies).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "aws/xml.h"

namespace ht::aws::testdata {

struct CorpusDoc {
  std::string id;    // "goamz/iam/GetUserExample.xml", "boto-legacy/x.jsonl:48", "....json:Case#3"
  std::string body;  // the XML as stored
  int http_status = 200;  // protocol cases give one; files do not
  std::string root;       // local name of the root element, "" when the body is not XML
  std::optional<nlohmann::json> expected;  // botocore's parsed .json, or the protocol case
};

inline std::filesystem::path iamTestdataDir() {
  return std::filesystem::path(HT_SHARED_TESTDATA) / "iam";
}

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

inline std::string rootOf(const std::string& body) {
  auto doc = xml::Document::parse(body, "corpus");
  return doc ? std::string(xml::localName(doc->root())) : std::string();
}

// Every document, sorted by id. A missing directory is reported by the caller as a failure.
inline std::vector<CorpusDoc> loadCorpus() {
  namespace fs = std::filesystem;
  std::vector<CorpusDoc> out;
  const fs::path dir = iamTestdataDir();
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const fs::path& p = entry.path();
    const std::string rel = fs::relative(p, dir).generic_string();
    const std::string ext = p.extension().string();
    if (ext == ".xml") {
      CorpusDoc d{rel, readFile(p), 200, "", std::nullopt};
      fs::path sibling = p;
      sibling.replace_extension(".json");
      if (fs::exists(sibling)) d.expected = nlohmann::json::parse(readFile(sibling));
      out.push_back(std::move(d));
    } else if (ext == ".jsonl") {
      std::istringstream lines(readFile(p));
      std::string line;
      while (std::getline(lines, line)) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line);
        out.push_back({rel + ":" + std::to_string(j.at("line").get<int>()),
                       j.at("xml").get<std::string>(), 200, "", std::nullopt});
      }
    } else if (ext == ".json" && rel.rfind("botocore-protocol-tests/output__", 0) == 0) {
      auto suites = nlohmann::json::parse(readFile(p));
      int n = 0;
      for (const auto& suite : suites) {
        for (const auto& c : suite.at("cases")) {
          ++n;
          const auto& resp = c.at("response");
          std::string body = resp.value("body", "");
          if (body.empty()) continue;  // nothing for an XML parser to read
          out.push_back({rel + ":" + c.value("id", "case") + "#" + std::to_string(n), body,
                         resp.value("status_code", 200), "", c});
        }
      }
    }
  }
  for (CorpusDoc& d : out) d.root = rootOf(d.body);
  std::sort(out.begin(), out.end(),
            [](const CorpusDoc& a, const CorpusDoc& b) { return a.id < b.id; });
  return out;
}

// Loaded once per test binary; ASSERT on corpusOrFail() at the start of each data-driven test.
inline const std::vector<CorpusDoc>& corpus() {
  static const std::vector<CorpusDoc> docs = loadCorpus();
  return docs;
}

inline ::testing::AssertionResult corpusPresent() {
  if (!std::filesystem::is_directory(iamTestdataDir())) {
    return ::testing::AssertionFailure()
           << "test data missing: " << iamTestdataDir()
           << " (HT_SHARED_TESTDATA must point at the shared testdata checkout)";
  }
  if (corpus().size() < 100) {
    return ::testing::AssertionFailure()
           << "only " << corpus().size() << " XML documents under " << iamTestdataDir()
           << "; the IAM test data looks incomplete";
  }
  return ::testing::AssertionSuccess();
}

inline bool isErrorRoot(const std::string& root) {
  return root == "ErrorResponse" || root == "Error" || root == "Response";
}

}  // namespace ht::aws::testdata
