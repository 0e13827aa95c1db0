// `honeytrail incident ...` over a real ingest of the Invictus attack: one incident for the
// key's 43 uses, everything that may be compromised in `show`, and the state changes with who
// made them on the timeline.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.h"

namespace ht::app {
namespace {

using nlohmann::json;
using test::RunResult;

const std::string kInvictus = std::string(HT_SHARED_TESTDATA) + "/cloudtrail/invictus_aws_dataset";
constexpr const char* kKey = "AKIATFQR7NSCUXC3DDDP";

class IncidentCliTest : public ::testing::Test {
 protected:
  RunResult ht(std::vector<std::string> args) {
    std::vector<std::string> argv = {HT_BINARY, "--data-dir", dir_.file("data")};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run(argv, {{"HONEYTRAIL_ACTOR", "alice@soc"}});
  }
  test::TempDir dir_;
};

TEST_F(IncidentCliTest, IngestOpensOneIncidentThatTellsTheWholeStory) {
  ASSERT_EQ(ht({"token", "import", "--key-id", kKey, "--label", "deploy laptop"}).exit_code, 0);
  ASSERT_EQ(ht({"placement", "add", kKey, "--host", "web-01", "--path",
                "/home/deploy/.aws/credentials", "--owner", "ops"})
                .exit_code,
            0);
  ASSERT_EQ(
      ht({"custody", "add", kKey, "--holder", "ci-pipeline", "--method", "ansible"}).exit_code, 0);
  RunResult ingested = ht({"ingest", kInvictus});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_NE(ingested.err.find("1 new incident(s)"), std::string::npos) << ingested.err;

  RunResult listed = ht({"incident", "list", "--output", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  json inc = json::parse(listed.out.substr(0, listed.out.find('\n')));
  EXPECT_EQ(inc["trigger_count"], 43);
  EXPECT_EQ(inc["state"], "open");
  EXPECT_EQ(inc["first_seen"], "2023-07-10T11:42:18Z");
  const std::string id = inc["id"];

  RunResult shown = ht({"incident", "show", id, "--output", "json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  json j = json::parse(shown.out);
  EXPECT_EQ(j["key_id"], kKey);
  ASSERT_EQ(j["placements"].size(), 1u);
  EXPECT_EQ(j["placements"][0]["host"], "web-01");
  // Custody: the import, the placement, and the hop added by hand.
  EXPECT_EQ(j["custody"].size(), 3u);
  size_t triggers = 0;
  for (const auto& e : j["timeline"]) triggers += e["kind"] == "trigger" ? 1 : 0;
  EXPECT_EQ(triggers, 43u);
  // Every hop of the chain of custody is on the timeline too, in time order with the rest.
  size_t hops = 0;
  std::string previous;
  for (const auto& e : j["timeline"]) {
    hops += e["kind"] == "custody" ? 1 : 0;
    EXPECT_LE(previous, e["at"].get<std::string>()) << "the timeline is in time order";
    previous = e["at"];
  }
  EXPECT_EQ(hops, 3u);

  // A second ingest of the same files changes nothing.
  ASSERT_EQ(ht({"ingest", kInvictus}).exit_code, 0);
  EXPECT_EQ(json::parse(ht({"incident", "show", id, "--output", "json"}).out)["trigger_count"], 43);

  EXPECT_EQ(ht({"incident", "ack", id, "--note", "looking at web-01"}).exit_code, 0);
  RunResult again = ht({"incident", "ack", id});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("cannot become acknowledged"), std::string::npos) << again.err;
  EXPECT_EQ(ht({"incident", "note", id, "rotated the deploy user's real keys"}).exit_code, 0);
  RunResult resolved = ht({"incident", "resolve", id, "--output", "json"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_EQ(json::parse(resolved.out)["state"], "resolved");
  EXPECT_EQ(ht({"incident", "list", "--state", "open", "--output", "json"}).out, "");

  json timeline = json::parse(ht({"incident", "show", id, "--output", "json"}).out)["timeline"];
  std::vector<std::string> people;
  for (const auto& e : timeline) {
    if (e["kind"] == "state" || e["kind"] == "note") {
      people.push_back(e["kind"].get<std::string>() + " " + e["actor"].get<std::string>() + " " +
                       e["text"].get<std::string>());
    }
  }
  EXPECT_EQ(people, (std::vector<std::string>{"state alice@soc open -> acknowledged",
                                              "note alice@soc looking at web-01",
                                              "note alice@soc rotated the deploy user's real keys",
                                              "state alice@soc acknowledged -> resolved"}));
  EXPECT_EQ(ht({"incident", "show", "inc-doesnotexist"}).exit_code, 1);
}

}  // namespace
}  // namespace ht::app
