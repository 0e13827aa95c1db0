// ingest, hunt and triggers over the real CloudTrail files in ../shared/testdata, checked
// against golden event lists computed independently with jq (tests/golden/invictus/README.md).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/mmdb_writer.h"
#include "support/test_support.h"

namespace ht::app {
namespace {

using nlohmann::json;
using test::RunResult;

const std::string kInvictus = std::string(HT_SHARED_TESTDATA) + "/cloudtrail/invictus_aws_dataset";
constexpr const char* kKey = "AKIATFQR7NSCUXC3DDDP";
constexpr const char* kPrincipal = "AIDATFQR7NSC5U6Q3TMDR";

std::set<std::string> golden(const std::string& name) {
  std::ifstream in(std::string(HT_SOURCE_DIR) + "/tests/golden/invictus/" + name);
  std::set<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

std::vector<json> jsonLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

class DetectCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::is_directory(kInvictus)) << kInvictus << " is missing";
  }
  RunResult ht(std::vector<std::string> args) {
    std::vector<std::string> argv = {HT_BINARY, "--data-dir", dir_.file("data")};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, {{"HONEYTRAIL_ACTOR", "tester@ci"}});
  }
  test::TempDir dir_;
};

TEST_F(DetectCliTest, HuntByKeyFindsExactlyTheGoldenEvents) {
  RunResult r = ht({"hunt", kInvictus, "--key-id", kKey, "--output", "json", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> found;
  for (const auto& e : jsonLines(r.out)) {
    found.insert(e["event_id"].get<std::string>());
    EXPECT_FALSE(e["file"].get<std::string>().empty());
    EXPECT_TRUE(e["index"].is_number());
    ASSERT_EQ(e["matches"].size(), 1u);
    EXPECT_EQ(e["matches"][0]["key_id"], kKey);
    EXPECT_EQ(e["matches"][0]["trigger_class"], "used");
  }
  EXPECT_EQ(found, golden("key_AKIATFQR7NSCUXC3DDDP.event_ids"));
  // Only the files that mention the key are split into records at all.
  EXPECT_NE(r.err.find("55 file(s) (51 mention no token)"), std::string::npos) << r.err;
  // The same answer on one thread: output order does not depend on the thread count.
  RunResult one = ht({"hunt", kInvictus, "--key-id", kKey, "--output", "json", "--threads", "1"});
  EXPECT_EQ(one.out, r.out);
}

TEST_F(DetectCliTest, RegisteredPrincipalCatchesSessionCredentials) {
  ASSERT_EQ(ht({"token", "import", "--key-id", kKey, "--principal-id", kPrincipal, "--user-arn",
                "arn:aws:iam::123837392027:user/benjamin"})
                .exit_code,
            0);
  RunResult r = ht({"hunt", kInvictus, "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> found;
  int by_key = 0, by_session = 0;
  for (const auto& e : jsonLines(r.out)) {
    found.insert(e["event_id"].get<std::string>());
    for (const auto& m : e["matches"]) {
      if (m["trigger_class"] == "used") ++by_key;
      if (m["trigger_class"] == "session-used") ++by_session;
    }
  }
  EXPECT_EQ(found, golden("principal_AIDATFQR7NSC5U6Q3TMDR.event_ids"));
  EXPECT_EQ(by_key, 43);
  EXPECT_EQ(by_session, 105 - 43) << "the user's other keys and its ASIA session keys";
}

TEST_F(DetectCliTest, IngestStoresEachTriggerOnceAcrossRunsAndDuplicateFiles) {
  ASSERT_EQ(ht({"token", "import", "--key-id", kKey}).exit_code, 0);
  // A second copy of the files that hold the key: CloudTrail delivers events more than once.
  std::string dup_dir = dir_.file("dup");
  std::filesystem::create_directories(dup_dir);
  for (const auto& f : std::filesystem::directory_iterator(kInvictus)) {
    if (test::readText(f.path().string()).find(kKey) != std::string::npos) {
      std::filesystem::copy_file(f.path(), dup_dir + "/copy-" + f.path().filename().string());
    }
  }
  RunResult first = ht({"ingest", kInvictus, dup_dir, "--output", "json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto triggers = jsonLines(first.out);
  std::set<std::string> ids;
  for (const auto& t : triggers) {
    ids.insert(t["event_id"].get<std::string>());
    EXPECT_EQ(t["key_id"], kKey);
    EXPECT_EQ(t["trigger_class"], "used");
  }
  EXPECT_EQ(triggers.size(), 43u);
  EXPECT_EQ(ids, golden("key_AKIATFQR7NSCUXC3DDDP.event_ids"));
  EXPECT_NE(first.err.find("43 duplicate(s)"), std::string::npos) << first.err;

  RunResult again = ht({"ingest", kInvictus, "--output", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(again.out.empty()) << "a second run stores and prints nothing new";
  EXPECT_NE(again.err.find("0 new trigger(s)"), std::string::npos) << again.err;

  RunResult listed = ht({"triggers", "list", "--output", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(jsonLines(listed.out).size(), 43u);
}

// Every input format the reader knows, end to end: the Invictus records that use the golden key
// are rewritten by Python (an independent implementation) as JSON lines, EventBridge envelopes,
// a CloudWatch Logs subscription payload (base64 of gzip, as Lambda receives it), LookupEvents
// output with the record as an escaped string, and a gzip of the JSON lines. Hunting each file
// finds exactly the golden event IDs, whatever the file name says.
TEST_F(DetectCliTest, HuntFindsTheGoldenEventsInEveryInputFormat) {
  std::string out_dir = dir_.file("formats");
  std::filesystem::create_directories(out_dir);
  const char* script = R"py(
import base64, glob, gzip, json, os, sys
src, out, key = sys.argv[1], sys.argv[2], sys.argv[3]
recs = []
for path in sorted(glob.glob(os.path.join(src, "*.json"))):
    with open(path) as f:
        for r in json.load(f)["Records"]:
            if r.get("userIdentity", {}).get("accessKeyId") == key:
                recs.append(r)
def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
lines = "".join(json.dumps(r) + "\n" for r in recs).encode()
write("a.data", lines)
write("b.data", "".join(json.dumps({"version": "0", "id": "id-%d" % i,
    "detail-type": "AWS API Call via CloudTrail", "source": "aws." + r["eventSource"].split(".")[0],
    "account": r.get("recipientAccountId", ""), "time": r["eventTime"], "region": r["awsRegion"],
    "resources": [], "detail": r}) + "\n" for i, r in enumerate(recs)).encode())
cwl = {"messageType": "DATA_MESSAGE", "owner": "218007301253", "logGroup": "aws-cloudtrail-logs",
       "logStream": "218007301253_CloudTrail_us-east-1", "subscriptionFilters": ["honeytrail"],
       "logEvents": [{"id": str(i), "timestamp": 0, "message": json.dumps(r)} for i, r in enumerate(recs)]}
write("c.data", base64.b64encode(gzip.compress(json.dumps(cwl).encode())))
write("d.data", json.dumps({"Events": [{"EventId": r["eventID"], "EventName": r["eventName"],
    "CloudTrailEvent": json.dumps(r)} for r in recs]}).encode())
write("e.data", gzip.compress(lines))
print(len(recs))
)py";
  RunResult made = test::run({"python3", "-c", script, kInvictus, out_dir, kKey});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::set<std::string> want = golden("key_AKIATFQR7NSCUXC3DDDP.event_ids");
  for (const char* name : {"a.data", "b.data", "c.data", "d.data", "e.data"}) {
    RunResult r = ht({"hunt", out_dir + "/" + name, "--key-id", kKey, "--output", "json"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    std::set<std::string> found;
    for (const auto& e : jsonLines(r.out)) found.insert(e["event_id"].get<std::string>());
    EXPECT_EQ(found, want) << name;
    EXPECT_NE(r.err.find("0 problem(s)"), std::string::npos) << name << ": " << r.err;
  }
  // And ingest stores them once, however many formats carry the same events.
  ASSERT_EQ(ht({"token", "import", "--key-id", kKey}).exit_code, 0);
  RunResult ingested = ht({"ingest", out_dir, "--output", "json"});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_EQ(jsonLines(ingested.out).size(), want.size());
}

// Local enrichment: a country and ASN database (written here in MaxMind's format) and a Tor exit
// list; every stored trigger carries what they say about its source IP.
// Regression: a multi-threaded ingest whose database write failed (here another process holds
// the write lock past the busy timeout) died with "terminate called without an active
// exception", exit 134. It must stop with a clear message and exit 1, leave nothing half-written,
// and the same command must store everything once the lock is gone.
TEST_F(DetectCliTest, IngestWithTheDatabaseLockedFailsCleanlyAndARetryStoresEverything) {
  ASSERT_EQ(ht({"token", "import", "--key-id", kKey}).exit_code, 0);
  std::string cfg = dir_.file("honeytrail.yaml");
  test::writeText(cfg, "storage:\n  sqlite:\n    busy_timeout_ms: 200\n");
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {HT_BINARY, "--data-dir", dir_.file("data"), "--config", cfg};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, {{"HONEYTRAIL_ACTOR", "tester@ci"}});
  };
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("data/honeytrail.db").c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  RunResult locked = run({"ingest", kInvictus, "--threads", "4"});
  EXPECT_EQ(locked.exit_code, 1) << locked.err;
  EXPECT_EQ(locked.err.find("terminate called"), std::string::npos) << locked.err;
  EXPECT_NE(locked.err.find("database is locked"), std::string::npos) << locked.err;
  EXPECT_TRUE(locked.out.empty()) << "no trigger was stored, so none is printed";
  ASSERT_EQ(sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(holder);

  RunResult triggers = run({"triggers", "list", "--output", "json"});
  ASSERT_EQ(triggers.exit_code, 0) << triggers.err;
  EXPECT_TRUE(triggers.out.empty()) << "nothing half-written: " << triggers.out;
  RunResult retry = run({"ingest", kInvictus, "--threads", "4", "--output", "json"});
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(jsonLines(retry.out).size(), 43u);
  EXPECT_NE(retry.err.find("1 new incident(s)"), std::string::npos) << retry.err;
}

TEST_F(DetectCliTest, IngestEnrichesSourceIpsFromLocalFiles) {
  ASSERT_EQ(ht({"token", "import", "--key-id", kKey}).exit_code, 0);
  RunResult hunted = ht({"hunt", kInvictus, "--key-id", kKey, "--output", "json"});
  ASSERT_EQ(hunted.exit_code, 0) << hunted.err;
  std::string tor_ip;
  for (const auto& e : jsonLines(hunted.out)) {
    std::string ip = e["source_ip"].get<std::string>();
    if (ip.find('.') != std::string::npos && ip.find_first_not_of("0123456789.") == std::string::npos) {
      tor_ip = ip;
      break;
    }
  }
  ASSERT_FALSE(tor_ip.empty()) << "the golden events have an IPv4 source";

  // Two halves of the IPv4 space, so that every address has a known answer.
  test::MmdbWriter geo("GeoLite2-Country");
  auto country = [](const char* iso) {
    return test::MmdbValue::map(
        {{"country", test::MmdbValue::map({{"iso_code", test::MmdbValue::string(iso)}})}});
  };
  ASSERT_TRUE(geo.insert("0.0.0.0/1", country("AA")).isOk());
  ASSERT_TRUE(geo.insert("128.0.0.0/1", country("BB")).isOk());
  ASSERT_TRUE(geo.writeFile(dir_.file("geo.mmdb")).isOk());
  test::MmdbWriter asn("GeoLite2-ASN");
  ASSERT_TRUE(asn.insert("0.0.0.0/0",
                         test::MmdbValue::map(
                             {{"autonomous_system_number", test::MmdbValue::uint32(64500)},
                              {"autonomous_system_organization",
                               test::MmdbValue::string("Example Transit")}}))
                  .isOk());
  ASSERT_TRUE(asn.writeFile(dir_.file("asn.mmdb")).isOk());
  test::writeText(dir_.file("tor.txt"), "# exits\n" + tor_ip + "\n");
  test::writeText(dir_.file("honeytrail.yaml"), "enrich:\n  geoip_db: " + dir_.file("geo.mmdb") +
                                                    "\n  asn_db: " + dir_.file("asn.mmdb") +
                                                    "\n  tor_exit_list: " + dir_.file("tor.txt") +
                                                    "\n");
  RunResult r = ht({"--config", dir_.file("honeytrail.yaml"), "ingest", kInvictus, "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto triggers = jsonLines(r.out);
  ASSERT_EQ(triggers.size(), 43u);
  int tor = 0;
  for (const auto& t : triggers) {
    std::string ip = t["source_ip"].get<std::string>();
    bool v4 = ip.find_first_not_of("0123456789.") == std::string::npos;
    if (!v4) {
      EXPECT_FALSE(t.contains("source_country")) << ip;  // "AWS Internal", a service name
      continue;
    }
    int first_octet = std::stoi(ip.substr(0, ip.find('.')));
    EXPECT_EQ(t["source_country"], first_octet < 128 ? "AA" : "BB") << ip;
    EXPECT_EQ(t["source_asn"], 64500);
    EXPECT_EQ(t["source_as_org"], "Example Transit");
    EXPECT_EQ(t["source_tor"], ip == tor_ip) << ip;
    if (ip == tor_ip) ++tor;
  }
  EXPECT_GE(tor, 1);
  // Stored with the trigger, not only printed.
  RunResult listed = ht({"triggers", "list", "--output", "json"});
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find("\"source_as_org\":\"Example Transit\""), std::string::npos);

  // A configured file that is missing is an error naming it, not a silent lack of fields.
  test::writeText(dir_.file("broken.yaml"), "enrich:\n  geoip_db: " + dir_.file("nope.mmdb") + "\n");
  RunResult broken = ht({"--config", dir_.file("broken.yaml"), "ingest", kInvictus});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("nope.mmdb"), std::string::npos) << broken.err;
}

TEST_F(DetectCliTest, MentionsInRequestDataAreTouchesNotUses) {
  ASSERT_EQ(ht({"token", "import", "--key-id", kKey, "--user-arn",
                "arn:aws:iam::123837392027:user/benjamin", "--principal-id", kPrincipal})
                .exit_code,
            0);
  // An administrator listing the honey user's keys: the key appears in the response only.
  json admin = {{"eventVersion", "1.08"},
                {"userIdentity",
                 {{"type", "IAMUser"},
                  {"principalId", "AIDAQ3EGVVSYWCHK2XJ5D"},
                  {"arn", "arn:aws:iam::123837392027:user/admin"},
                  {"accountId", "123837392027"},
                  {"accessKeyId", "AKIAQ3EGVVSYWCHK2XJA"},
                  {"userName", "admin"}}},
                {"eventTime", "2023-07-10T12:00:00Z"},
                {"eventSource", "iam.amazonaws.com"},
                {"eventName", "ListAccessKeys"},
                {"awsRegion", "us-east-1"},
                {"sourceIPAddress", "198.51.100.7"},
                {"userAgent", "aws-cli/2.13.0 Python/3.11.4 Linux/6.1 exe/x86_64"},
                {"requestParameters", {{"userName", "benjamin"}}},
                {"responseElements",
                 {{"accessKeyMetadata", {{{"accessKeyId", kKey}, {"status", "Active"}}}}}},
                {"requestID", "8c0a9f9e-0000-4000-8000-000000000001"},
                {"eventID", "decoy-0000-4000-8000-000000000001"},
                {"readOnly", true},
                {"eventType", "AwsApiCall"},
                {"recipientAccountId", "123837392027"}};
  std::string file = dir_.file("decoy.json");
  test::writeText(file, json{{"Records", json::array({admin})}}.dump());
  RunResult r = ht({"hunt", file, "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto events = jsonLines(r.out);
  ASSERT_EQ(events.size(), 1u) << r.out;
  ASSERT_EQ(events[0]["matches"].size(), 1u);
  EXPECT_EQ(events[0]["matches"][0]["trigger_class"], "touched");
}

TEST_F(DetectCliTest, BadInputIsReportedAndTheRestIsStillRead) {
  std::string mixed = dir_.file("mixed");
  std::filesystem::create_directories(mixed);
  // A good file, a file that is not JSON, a truncated gzip of a good file.
  std::string good;
  for (const auto& f : std::filesystem::directory_iterator(kInvictus)) {
    std::string text = test::readText(f.path().string());
    if (text.find(kKey) != std::string::npos) {
      good = f.path().string();
      break;
    }
  }
  ASSERT_FALSE(good.empty());
  std::filesystem::copy_file(good, mixed + "/a-good.json");
  test::writeText(mixed + "/b-garbage.json", "this is not cloudtrail\n");
  RunResult gz = test::run({"gzip", "-c", good});
  ASSERT_EQ(gz.exit_code, 0);
  test::writeText(mixed + "/c-truncated.json.gz", gz.out.substr(0, gz.out.size() / 2));
  RunResult r = ht({"hunt", mixed, "--key-id", kKey, "--output", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("b-garbage.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("c-truncated.json.gz"), std::string::npos) << r.err;
  std::set<std::string> found;
  for (const auto& e : jsonLines(r.out)) found.insert(e["event_id"].get<std::string>());
  EXPECT_FALSE(found.empty()) << "the good file's events are still found";
  EXPECT_NE(r.err.find("problem(s)"), std::string::npos);
}

}  // namespace
}  // namespace ht::app
