// The reader is tested mostly with data: every file of the shared CloudTrail corpus against a
// golden table computed with jq (testdata/golden_counts.tsv), then hand-made inputs for each
// kind of bad input, built in the test so their shape is visible next to the assertions.
#include "ingest/reader.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/files.h"
#include "core/strings.h"
#include "ingest/gzip.h"
#include "support/test_support.h"

namespace ht::ingest {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = std::string(HT_SHARED_TESTDATA) + "/cloudtrail";

struct Collected : RecordSink {
  std::vector<Record> records;
  std::vector<InputProblem> problems;
  void record(Record&& r) override { records.push_back(std::move(r)); }
  void problem(const InputProblem& p) override { problems.push_back(p); }
  bool hasProblem(const std::string& kind) const {
    for (const auto& p : problems)
      if (p.kind == kind) return true;
    return false;
  }
  const InputProblem* first(const std::string& kind) const {
    for (const auto& p : problems)
      if (p.kind == kind) return &p;
    return nullptr;
  }
};

Collected readText(std::string_view text, const ReadOptions& options = ReadOptions{},
                   Status* status = nullptr) {
  Collected sink;
  ReadStats stats;
  Status st = readBuffer("test", text, sink, options, &stats);
  if (status != nullptr) *status = st;
  EXPECT_EQ(stats.records, sink.records.size());
  EXPECT_EQ(stats.problems, sink.problems.size());
  return sink;
}

std::string gzipString(std::string_view in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string base64(std::string_view in) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(a[(v >> k) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += std::string{a[(v >> 18) & 63], a[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += std::string{a[(v >> 18) & 63], a[(v >> 12) & 63], a[(v >> 6) & 63], '='};
  }
  return out;
}

std::string rec(int n) {
  return R"({"eventVersion":"1.08","eventID":"id-)" + std::to_string(n) +
         R"(","eventName":"ListUsers","eventSource":"iam.amazonaws.com","userIdentity":{"accessKeyId":"AKIAEXAMPLE"}})";
}

std::string envelope(int n, const std::string& detail_type = "AWS API Call via CloudTrail") {
  return R"({"version":"0","id":"e)" + std::to_string(n) + R"(","detail-type":")" + detail_type +
         R"(","source":"aws.iam","account":"123456789012","detail":)" + rec(n) + "}";
}

std::vector<std::string> jsons(const Collected& c) {
  std::vector<std::string> out;
  for (const auto& r : c.records) out.push_back(r.json);
  return out;
}

// --- The shared corpus ---------------------------------------------------------------------

struct GoldenRow {
  uint64_t records = 0;
  std::string wrapped;  // "-" or a count
  std::string format;
  std::string problem;  // kind@offset or "-"
};

std::map<std::string, GoldenRow> loadGolden() {
  std::map<std::string, GoldenRow> rows;
  std::ifstream in(std::string(HT_SOURCE_DIR) + "/tests/unit/ingest/testdata/golden_counts.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> c = split(line, '\t');
    if (c.size() != 5) {
      ADD_FAILURE() << "bad golden line: " << line;
      continue;
    }
    rows[c[0]] = GoldenRow{std::stoull(c[1]), c[2], c[3], c[4]};
  }
  return rows;
}

std::vector<std::string> corpusFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(kCorpus, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), kCorpus).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(SharedCorpus, EveryFileMatchesTheGoldenTable) {
  ASSERT_TRUE(fs::is_directory(kCorpus)) << "shared test data missing: " << kCorpus
                                         << " (HT_SHARED_TESTDATA=" << HT_SHARED_TESTDATA << ")";
  std::map<std::string, GoldenRow> golden = loadGolden();
  ASSERT_FALSE(golden.empty()) << "golden_counts.tsv not found or empty";
  std::vector<std::string> files = corpusFiles();
  ASSERT_EQ(files.size(), golden.size()) << "the corpus and the golden table list different files";
  for (const std::string& rel : files) {
    SCOPED_TRACE(rel);
    auto it = golden.find(rel);
    ASSERT_NE(it, golden.end()) << "not in the golden table";
    const GoldenRow& want = it->second;
    Collected sink;
    ReadStats stats;
    Status st = readFile(kCorpus + "/" + rel, sink, ReadOptions{}, &stats);
    EXPECT_EQ(sink.records.size(), want.records);
    EXPECT_EQ(st.isOk(), want.records > 0 || want.problem == "-") << st.toString();
    for (const Record& r : sink.records) {
      EXPECT_EQ(formatName(r.format), want.format);
      EXPECT_EQ(r.source, kCorpus + "/" + rel);
    }
    if (want.problem == "-") {
      EXPECT_TRUE(sink.problems.empty())
          << sink.problems.front().kind << ": " << sink.problems.front().message;
    } else {
      ASSERT_FALSE(sink.problems.empty());
      const InputProblem& p = sink.problems.front();
      EXPECT_EQ(p.kind + "@" + std::to_string(p.offset), want.problem) << p.message;
      EXPECT_LE(p.message.size(), 300u);
    }
  }
}

// The awsdocs and streamalert files wrap each line as {"_source":...,"event":...}: a convention
// of the shared corpus, not an AWS format. Unwrapped, their events are JSON lines of records and
// EventBridge envelopes, which the reader must count as jq does.
TEST(SharedCorpus, WrappedEventsReadAsJsonLines) {
  ASSERT_TRUE(fs::is_directory(kCorpus)) << "shared test data missing: " << kCorpus;
  std::map<std::string, GoldenRow> golden = loadGolden();
  int checked = 0;
  for (const auto& [rel, want] : golden) {
    if (want.wrapped == "-") continue;
    SCOPED_TRACE(rel);
    Result<std::string> content = ht::readFile(kCorpus + "/" + rel);
    ASSERT_TRUE(content.hasValue());
    std::string lines;
    simdjson::ondemand::parser parser;
    for (const std::string& line : split(*content, '\n')) {
      if (trim(line).empty()) continue;
      simdjson::padded_string padded(line);
      simdjson::ondemand::document doc = parser.iterate(padded);
      simdjson::ondemand::object event_object = doc["event"].get_object();
      std::string_view event = event_object.raw_json();
      lines += std::string(event) + "\n";
    }
    Collected c = readText(lines);
    EXPECT_EQ(c.records.size(), std::stoull(want.wrapped));
    for (const Record& r : c.records) EXPECT_EQ(r.format, Format::kJsonLines);
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(SharedCorpus, InvictusHas2900RecordsAndReadsFast) {
  std::string dir = kCorpus + "/invictus_aws_dataset";
  ASSERT_TRUE(fs::is_directory(dir)) << "shared test data missing: " << dir;
  Result<std::vector<std::string>> files = expandPaths({dir});
  ASSERT_TRUE(files.hasValue()) << files.status().toString();
  ASSERT_EQ(files->size(), 55u);
  std::vector<std::string> contents;
  size_t total_bytes = 0;
  for (const std::string& f : *files) {
    Result<std::string> c = ht::readFile(f);
    ASSERT_TRUE(c.hasValue());
    total_bytes += c->size();
    contents.push_back(std::move(c).value());
  }
  struct Counter : RecordSink {
    uint64_t n = 0;
    uint64_t bytes = 0;
    void record(Record&& r) override {
      ++n;
      bytes += r.json.size();
    }
    void problem(const InputProblem& p) override { ADD_FAILURE() << p.kind << ": " << p.message; }
  };
  constexpr int kRounds = 10;
  Counter counter;
  auto begin = std::chrono::steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    for (size_t i = 0; i < contents.size(); ++i) {
      ASSERT_TRUE(readBuffer((*files)[i], contents[i], counter, ReadOptions{}, nullptr).isOk());
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  EXPECT_EQ(counter.n, 2900u * kRounds);
  std::printf(
      "[ingest speed] invictus: %zu bytes x %d rounds in %.3f s = %.0f MB/s, %.0f records/s\n",
      total_bytes, kRounds, secs, total_bytes * kRounds / secs / 1e6, 2900.0 * kRounds / secs);
}

// --- Formats ---------------------------------------------------------------------------------

TEST(Formats, CloudTrailFileRecordsKeepTheirTextAndOffsets) {
  std::string text = "{\"Records\": [\n  " + rec(1) + ",\n  " + rec(2) + "\n]}";
  Collected c = readText(text);
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[0].json, rec(1));
  EXPECT_EQ(c.records[1].json, rec(2));
  EXPECT_EQ(text.substr(c.records[1].offset, rec(2).size()), rec(2));
  EXPECT_EQ(c.records[1].index, 1u);
  EXPECT_EQ(c.records[0].format, Format::kCloudTrailFile);
  EXPECT_EQ(detectFormat(text), Format::kCloudTrailFile);
  EXPECT_TRUE(c.problems.empty());
}

TEST(Formats, JsonLinesWithBlankLinesAndEnvelopes) {
  std::string text = rec(1) + "\n\n" + envelope(2) + "\r\n" + rec(3) + "\n";
  Collected c = readText(text);
  EXPECT_EQ(jsons(c), (std::vector<std::string>{rec(1), rec(2), rec(3)}));
  for (const auto& r : c.records) EXPECT_EQ(r.format, Format::kJsonLines);
  EXPECT_EQ(detectFormat(text), Format::kJsonLines);
  EXPECT_TRUE(c.problems.empty());
}

TEST(Formats, EventBridgeSingleArrayAndLines) {
  Collected single = readText(envelope(1));
  EXPECT_EQ(jsons(single), std::vector<std::string>{rec(1)});
  EXPECT_EQ(single.records[0].format, Format::kEventBridge);
  EXPECT_EQ(detectFormat(envelope(1)), Format::kEventBridge);

  std::string array = "[\n" + envelope(1) + ",\n" +
                      envelope(2, "AWS Console Sign In via CloudTrail") + ",\n" +
                      envelope(3, "EC2 Instance State-change Notification") + "\n]";
  Collected arr = readText(array);
  // A foreign detail-type is read when its detail has the three keys every record has.
  EXPECT_EQ(jsons(arr), (std::vector<std::string>{rec(1), rec(2), rec(3)}));
  EXPECT_EQ(arr.problems.size(), 0u);

  std::string other = R"({"detail-type":"Scheduled Event","source":"aws.events","detail":{}})";
  Collected lines = readText(envelope(1) + "\n" + other + "\n" + envelope(2) + "\n");
  EXPECT_EQ(jsons(lines), (std::vector<std::string>{rec(1), rec(2)}));
  ASSERT_EQ(lines.problems.size(), 1u);
  EXPECT_EQ(lines.problems[0].kind, "not-cloudtrail");
  EXPECT_NE(lines.problems[0].message.find("Scheduled Event"), std::string::npos);
}

std::string cloudWatchPayload() {
  return R"({"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"aws-cloudtrail-logs",)"
         R"("logStream":"123456789012_CloudTrail_us-east-1","subscriptionFilters":["ht"],)"
         R"("logEvents":[{"id":"1","timestamp":1700000000000,"message":)" +
         jsonQuote(rec(1)) + R"(},{"id":"2","timestamp":1700000000001,"message":)" +
         jsonQuote(rec(2)) + "}]}";
}

TEST(Formats, CloudWatchLogsPlainGzipAndBase64) {
  std::string payload = cloudWatchPayload();
  for (const std::string& input : {payload, gzipString(payload), base64(gzipString(payload)),
                                   base64(gzipString(payload)) + "\n"}) {
    Collected c = readText(input);
    EXPECT_EQ(jsons(c), (std::vector<std::string>{rec(1), rec(2)}));
    EXPECT_TRUE(c.problems.empty());
    for (const auto& r : c.records) EXPECT_EQ(r.format, Format::kCloudWatchLogs);
  }
  EXPECT_EQ(detectFormat(payload), Format::kCloudWatchLogs);

  Status st;
  Collected control = readText(
      R"({"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"",)"
      R"("subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]})",
      ReadOptions{}, &st);
  EXPECT_TRUE(control.records.empty());
  EXPECT_TRUE(control.problems.empty());
  EXPECT_TRUE(st.isOk());
}

TEST(Formats, LookupEventsWithNextToken) {
  std::string text = R"({"Events":[{"EventId":"1","EventName":"ListUsers","CloudTrailEvent":)" +
                     jsonQuote(rec(1)) + R"(},{"EventId":"2","CloudTrailEvent":)" +
                     jsonQuote(rec(2)) + R"(}],"NextToken":"abc=="})";
  Collected c = readText(text);
  EXPECT_EQ(jsons(c), (std::vector<std::string>{rec(1), rec(2)}));
  for (const auto& r : c.records) EXPECT_EQ(r.format, Format::kLookupEvents);
  EXPECT_EQ(detectFormat(text), Format::kLookupEvents);
}

TEST(Formats, GzipOfEveryFormatReadsTheSame) {
  std::vector<std::string> inputs = {
      "{\"Records\":[" + rec(1) + "," + rec(2) + "]}",
      rec(1) + "\n" + rec(2) + "\n",
      "[" + envelope(1) + "," + envelope(2) + "]",
      cloudWatchPayload(),
      R"({"Events":[{"CloudTrailEvent":)" + jsonQuote(rec(1)) +
          "},{\"CloudTrailEvent\":" + jsonQuote(rec(2)) + "}]}",
  };
  for (const std::string& plain : inputs) {
    SCOPED_TRACE(plain.substr(0, 40));
    Collected a = readText(plain);
    Collected b = readText(gzipString(plain));
    EXPECT_EQ(jsons(a), (std::vector<std::string>{rec(1), rec(2)}));
    EXPECT_EQ(jsons(a), jsons(b));
    EXPECT_TRUE(b.problems.empty());
  }
  // Concatenated members, as `cat a.gz b.gz` or Firehose produce.
  Collected both = readText(gzipString(rec(1) + "\n") + gzipString(rec(2) + "\n"));
  EXPECT_EQ(jsons(both), (std::vector<std::string>{rec(1), rec(2)}));
}

TEST(Formats, DeliveryNoticeIsNotRecords) {
  std::string notice =
      R"({"Type":"Notification","MessageId":"x","Message":"{\"s3Bucket\":\"b\",\"s3ObjectKey\":[\"AWSLogs/1/CloudTrail/x.json.gz\"]}"})";
  Status st;
  Collected c = readText(notice, ReadOptions{}, &st);
  EXPECT_TRUE(c.records.empty());
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].kind, "not-cloudtrail");
  EXPECT_NE(c.problems[0].message.find("delivery notice"), std::string::npos);
  EXPECT_FALSE(st.isOk());
}

// --- Bad input -------------------------------------------------------------------------------

TEST(BadInput, TruncatedGzipKeepsTheRecordsBeforeTheCut) {
  std::string lines;
  for (int i = 0; i < 2000; ++i) lines += rec(i) + "\n";
  std::string gz = gzipString(lines);
  std::string half = gz.substr(0, gz.size() / 2);
  Collected c = readText(half);
  ASSERT_GT(c.records.size(), 100u);
  ASSERT_LT(c.records.size(), 2000u);
  for (size_t i = 0; i < c.records.size(); ++i) ASSERT_EQ(c.records[i].json, rec(int(i)));
  const InputProblem* p = c.first("truncated-gzip");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->offset, half.size());

  // The same with a real delivery file: the records before the cut of its Records array.
  std::string real = kCorpus +
                     "/invictus_aws_dataset/"
                     "218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json";
  Result<std::string> content = ht::readFile(real);
  ASSERT_TRUE(content.hasValue()) << "shared test data missing: " << real;
  Collected full = readText(*content);
  std::string cut = gzipString(*content);
  cut.resize(cut.size() / 2);
  Collected r = readText(cut);
  ASSERT_GT(r.records.size(), 0u);
  ASSERT_LT(r.records.size(), full.records.size());
  for (size_t i = 0; i < r.records.size(); ++i) EXPECT_EQ(r.records[i].json, full.records[i].json);
  ASSERT_NE(r.first("truncated-gzip"), nullptr);
  EXPECT_EQ(r.first("truncated-gzip")->offset, cut.size());
  EXPECT_TRUE(r.hasProblem("invalid-json"));  // the array ends where the stream does
  std::printf("[ingest truncated] %zu of %zu records before the cut\n", r.records.size(),
              full.records.size());
}

TEST(BadInput, GarbageAfterGzipAndBadBase64) {
  Collected c = readText(gzipString(rec(1) + "\n") + "not gzip at all");
  EXPECT_EQ(c.records.size(), 1u);
  EXPECT_TRUE(c.hasProblem("bad-gzip"));
  Collected b = readText("H4sIAAAAAAAAA+MCAJMG1zxxxxxxxxxxxxxxxxxx");  // base64-clean, bad gzip
  EXPECT_TRUE(b.records.empty());
  EXPECT_FALSE(b.problems.empty());
}

TEST(BadInput, InvalidJsonMidFile) {
  std::string lines = rec(1) + "\n{\"eventVersion\": \"1.0\" \"eventName\": 1}\n" + rec(3) + "\n";
  Collected c = readText(lines);
  EXPECT_EQ(jsons(c), (std::vector<std::string>{rec(1), rec(3)}));
  const InputProblem* p = c.first("invalid-json");
  ASSERT_NE(p, nullptr);
  EXPECT_GT(p->offset, rec(1).size());
  EXPECT_LT(p->offset, rec(1).size() + 40);

  std::string file = "{\"Records\":[" + rec(1) + "," + rec(2) + " " + rec(3) + "]}";
  Collected f = readText(file);
  EXPECT_EQ(jsons(f), (std::vector<std::string>{rec(1), rec(2)}));
  p = f.first("invalid-json");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->offset, file.find(rec(3)));
}

TEST(BadInput, WrongRootTypes) {
  for (const std::string& text : {std::string("\"just a string\""), std::string("42"),
                                  std::string("hello world"), std::string("{\"Records\":{}}")}) {
    Status st;
    Collected c = readText(text, ReadOptions{}, &st);
    EXPECT_TRUE(c.records.empty()) << text;
    EXPECT_TRUE(c.hasProblem("not-cloudtrail")) << text;
    EXPECT_FALSE(st.isOk());
  }
  Collected c = readText("{\"Records\":[1, \"x\", " + rec(1) + ", null]}");
  EXPECT_EQ(jsons(c), std::vector<std::string>{rec(1)});
  EXPECT_EQ(c.problems.size(), 3u);
  for (const auto& p : c.problems) EXPECT_EQ(p.kind, "not-an-object");
  Collected arr = readText("[1, 2]");
  EXPECT_EQ(arr.problems.size(), 2u);
  EXPECT_TRUE(arr.hasProblem("not-an-object"));
}

long peakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST(BadInput, HundredMegabyteRecordIsSkippedWithBoundedMemory) {
  constexpr size_t kBig = 100u << 20;
  std::string text = rec(1) + "\n";
  text.reserve(kBig + 4096);
  text += R"({"eventVersion":"1.08","eventName":"X","eventSource":"s","blob":")";
  text.append(kBig, 'a');
  text += "\"}\n" + rec(3) + "\n";
  long before = peakRssKb();
  Collected c = readText(text);
  long grown_mb = (peakRssKb() - before) / 1024;
  EXPECT_EQ(jsons(c), (std::vector<std::string>{rec(1), rec(3)}));
  const InputProblem* p = c.first("too-large");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->offset, rec(1).size() + 1);
  std::printf("[ingest memory] peak RSS grew by %ld MB reading a %zu MB record\n", grown_mb,
              kBig >> 20);
  EXPECT_LT(grown_mb, 64);  // the record is neither copied nor parsed

  // Inside a Records array the record is parsed to find its end, then dropped.
  ReadOptions small;
  small.max_record_bytes = 1 << 20;
  std::string big_record = R"({"eventVersion":"1.08","eventName":"X","eventSource":"s","blob":")" +
                           std::string(2 << 20, 'b') + "\"}";
  Collected f = readText("{\"Records\":[" + rec(1) + "," + big_record + "," + rec(3) + "]}", small);
  EXPECT_EQ(jsons(f), (std::vector<std::string>{rec(1), rec(3)}));
  EXPECT_TRUE(f.hasProblem("too-large"));
}

TEST(BadInput, TenThousandDeepNestingIsTooDeepWithoutOverflow) {
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  std::string deep_record =
      R"({"eventVersion":"1","eventName":"x","eventSource":"s","x":)" + deep + "}";
  Collected lines = readText(rec(1) + "\n" + deep_record + "\n" + rec(3) + "\n");
  EXPECT_EQ(jsons(lines), (std::vector<std::string>{rec(1), rec(3)}));
  const InputProblem* p = lines.first("too-deep");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->offset, rec(1).size() + 1);

  Collected root = readText(deep);
  EXPECT_TRUE(root.records.empty());
  EXPECT_TRUE(root.hasProblem("too-deep"));

  Collected file = readText("{\"Records\":[" + deep_record + "," + rec(2) + "]}");
  EXPECT_EQ(jsons(file), std::vector<std::string>{rec(2)});
  EXPECT_TRUE(file.hasProblem("too-deep"));

  ReadOptions shallow;
  shallow.max_depth = 2;
  Collected s = readText(R"({"eventVersion":"1","a":{"b":{"c":1}}})", shallow);
  EXPECT_TRUE(s.hasProblem("too-deep"));
}

TEST(BadInput, NonUtf8ByteSkipsOnlyItsRecord) {
  std::string bad = R"({"eventVersion":"1.08","eventName":"caf)" + std::string("\xff") +
                    R"(","eventSource":"s"})";
  std::string file = "{\"Records\":[" + rec(1) + "," + bad + "," + rec(3) + "]}";
  Collected f = readText(file);
  EXPECT_EQ(jsons(f), (std::vector<std::string>{rec(1), rec(3)}));
  const InputProblem* p = f.first("invalid-utf8");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->offset, file.find('\xff'));

  std::string lines = rec(1) + "\n" + bad + "\n" + rec(3) + "\n";
  Collected l = readText(lines);
  EXPECT_EQ(jsons(l), (std::vector<std::string>{rec(1), rec(3)}));
  ASSERT_NE(l.first("invalid-utf8"), nullptr);
  EXPECT_EQ(l.first("invalid-utf8")->offset, lines.find('\xff'));
  for (const auto& r : l.records) EXPECT_TRUE(isValidUtf8(r.json));
}

TEST(BadInput, EmbeddedRecordsThatAreBroken) {
  std::string text = R"({"Events":[{"CloudTrailEvent":"{\"eventVersion\": }"},)"
                     R"({"CloudTrailEvent":"[1]"},{"CloudTrailEvent":42},{"CloudTrailEvent":)" +
                     jsonQuote(rec(4)) + "}]}";
  Collected c = readText(text);
  EXPECT_EQ(jsons(c), std::vector<std::string>{rec(4)});
  EXPECT_TRUE(c.hasProblem("invalid-json"));
  EXPECT_TRUE(c.hasProblem("not-an-object"));
  EXPECT_TRUE(c.hasProblem("wrong-type"));
}

TEST(BadInput, EmptyInputIsNotAnError) {
  Status st;
  Collected c = readText("  \n", ReadOptions{}, &st);
  EXPECT_TRUE(c.records.empty());
  EXPECT_TRUE(c.problems.empty());
  EXPECT_TRUE(st.isOk());
}

// --- Paths -----------------------------------------------------------------------------------

TEST(ExpandPaths, FilesDirectoriesGlobsAndStdin) {
  fs::path dir = fs::temp_directory_path() / ("ht_ingest_" + std::to_string(::getpid()));
  fs::create_directories(dir / "b" / "c");
  for (const char* name : {"b/c/z.json", "b/a.json", "top.json.gz", "b/c/y.txt"}) {
    std::ofstream(dir / name) << "{}";
  }
  Result<std::vector<std::string>> all = expandPaths({dir.string()});
  ASSERT_TRUE(all.hasValue()) << all.status().toString();
  EXPECT_EQ(*all, (std::vector<std::string>{
                      (dir / "b/a.json").string(), (dir / "b/c/y.txt").string(),
                      (dir / "b/c/z.json").string(), (dir / "top.json.gz").string()}));
  Result<std::vector<std::string>> globbed =
      expandPaths({(dir / "b" / "*.json").string(), "-", (dir / "top.json.gz").string()});
  ASSERT_TRUE(globbed.hasValue());
  EXPECT_EQ(*globbed, (std::vector<std::string>{(dir / "b/a.json").string(), "-",
                                                (dir / "top.json.gz").string()}));
  Result<std::vector<std::string>> missing = expandPaths({(dir / "nope*.json").string()});
  ASSERT_FALSE(missing.hasValue());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope*.json"), std::string::npos);
  Result<std::vector<std::string>> missing2 = expandPaths({(dir / "absent.json").string()});
  ASSERT_FALSE(missing2.hasValue());
  EXPECT_NE(missing2.status().message().find("absent.json"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ReadFile, MissingFileIsAReadError) {
  Collected sink;
  Status st = readFile("/nonexistent/ht/file.json", sink, ReadOptions{}, nullptr);
  EXPECT_FALSE(st.isOk());
  ASSERT_EQ(sink.problems.size(), 1u);
  EXPECT_EQ(sink.problems[0].kind, "read-error");
}


TEST(TextFilter, InputThatFailsTheFilterIsSkippedUnsplit) {
  ReadOptions options;
  options.text_filter = [](std::string_view t) { return t.find("NEEDLE") != std::string_view::npos; };
  Collected sink;
  ReadStats stats;
  std::string text = R"({"Records":[{"eventID":"a"},{"eventID":"b"}]})";
  ASSERT_TRUE(readBuffer("t", gzipString(text), sink, options, &stats).isOk());
  EXPECT_TRUE(sink.records.empty());
  EXPECT_EQ(stats.inputs_skipped, 1u);
  EXPECT_EQ(stats.records, 0u);
  EXPECT_EQ(stats.bytes_decompressed, text.size());
}

TEST(TextFilter, WithoutValidationOnlyPassingRecordsAreDelivered) {
  ReadOptions options;
  options.text_filter = [](std::string_view t) { return t.find("NEEDLE") != std::string_view::npos; };
  options.validate_records = false;
  std::string text =
      R"({"Records":[{"eventID":"a","x":[1,2,{"y":"z"}]},{"eventID":"b","k":"NEEDLE"},)"
      R"({"eventID":"c"},{"eventID":"d","deep":{"k":"NEEDLE"}}]})";
  Collected sink;
  ReadStats stats;
  ASSERT_TRUE(readBuffer("t", text, sink, options, &stats).isOk());
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].json, R"({"eventID":"b","k":"NEEDLE"})");
  EXPECT_EQ(sink.records[0].index, 1u);
  EXPECT_EQ(sink.records[0].offset, text.find(R"({"eventID":"b")"));
  EXPECT_EQ(sink.records[1].json, R"({"eventID":"d","deep":{"k":"NEEDLE"}})");
  EXPECT_EQ(sink.records[1].index, 3u);
  EXPECT_EQ(stats.records, 4u);  // all four were read; two passed over without a copy
  EXPECT_TRUE(sink.problems.empty());
}

TEST(TextFilter, WithoutValidationBrokenStructureIsStillReported) {
  ReadOptions options;
  options.text_filter = [](std::string_view) { return true; };
  options.validate_records = false;
  // The second record is never closed: skipping by structure runs into the end of the input.
  Collected sink = readText(R"({"Records":[{"eventID":"a"},{"eventID":"b","x":[1,2})", options);
  EXPECT_FALSE(sink.problems.empty());
  EXPECT_LE(sink.records.size(), 1u);
}

TEST(ReadBuffersReuse, SameRecordsAsFreshBuffersAcrossSizesAndATruncatedFile) {
  test::TempDir dir;
  std::vector<std::string> files;
  std::vector<std::string> bodies;
  for (int n : {50, 3, 400, 1, 120}) {
    std::string body = "{\"Records\":[";
    for (int i = 0; i < n; ++i) {
      if (i) body += ",";
      body += "{\"eventID\":\"e" + std::to_string(n) + "-" + std::to_string(i) +
              "\",\"pad\":\"" + std::string(static_cast<size_t>(i % 97), 'x') + "\"}";
    }
    body += "]}";
    bodies.push_back(body);
  }
  for (size_t i = 0; i < bodies.size(); ++i) {
    std::string gz = gzipString(bodies[i]);
    if (i == 2) gz.resize(gz.size() * 2 / 3);  // cut: the zlib path recovers a prefix
    std::string path = dir / ("f" + std::to_string(i) + ".json.gz");
    ASSERT_TRUE(writeFileAtomic(path, gz, 0600).isOk());
    files.push_back(path);
  }
  ReadBuffers buffers;
  for (int round = 0; round < 2; ++round) {
    for (const auto& path : files) {
      Collected fresh;
      Collected reused;
      ReadStats fresh_stats;
      ReadStats reused_stats;
      (void)readFile(path, fresh, ReadOptions{}, &fresh_stats);
      (void)readFile(path, reused, ReadOptions{}, &reused_stats, &buffers);
      ASSERT_EQ(fresh.records.size(), reused.records.size()) << path;
      for (size_t i = 0; i < fresh.records.size(); ++i) {
        EXPECT_EQ(fresh.records[i].json, reused.records[i].json);
        EXPECT_EQ(fresh.records[i].offset, reused.records[i].offset);
      }
      EXPECT_EQ(fresh.problems.size(), reused.problems.size()) << path;
      EXPECT_EQ(fresh_stats.bytes_decompressed, reused_stats.bytes_decompressed);
    }
  }
}

TEST(ReadFile, FilesWhoseSizeStatDoesNotTellAreReadWhole) {
  // /proc files report size 0; the reader must not trust fstat for the length.
  std::string text;
  ASSERT_TRUE(readFileInto("/proc/self/status", &text).isOk());
  EXPECT_NE(text.find("Name:"), std::string::npos);
  std::string again = "stale contents that must be replaced";
  ASSERT_TRUE(readFileInto("/proc/self/status", &again).isOk());
  EXPECT_EQ(again.rfind("Name:", 0), 0u);
}

}  // namespace
}  // namespace ht::ingest
