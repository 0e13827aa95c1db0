// `alert test` as a service: the route is looked up by name (an unknown one lists the routes),
// the test story goes through each enabled output now, and what happened at each is reported
// rather than printed. File outputs make the deliveries observable without a network.
#include "alert/test_alert.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace ht::alert {
namespace {

config::OutputOptions fileOutput(const std::string& name, const std::string& path,
                                 bool enabled = true) {
  config::OutputOptions o;
  o.name = name;
  o.type = "file";
  o.path = path;
  o.enabled = enabled;
  return o;
}

config::RouteOptions route(const std::string& name, std::vector<std::string> outputs,
                           std::vector<std::string> actions = {}) {
  config::RouteOptions r;
  r.name = name;
  r.outputs = std::move(outputs);
  r.actions = std::move(actions);
  return r;
}

std::optional<std::string> noEnv(const std::string&) { return std::nullopt; }

class TestAlertTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  FixedClock clock_{*parseTime("2026-11-28T12:00:00Z")};
};

TEST_F(TestAlertTest, AnUnknownRouteIsNotFoundAndTheMessageListsTheRoutes) {
  config::AlertsOptions alerts;
  alerts.routes = {route("secops", {}), route("oncall", {})};
  auto report = sendTestAlert(alerts, "nope", noEnv, clock_, "host-1");
  ASSERT_FALSE(report.hasValue());
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(report.status().message(), "no route named nope (routes: secops, oncall)");

  auto none = sendTestAlert(config::AlertsOptions{}, "nope", noEnv, clock_, "host-1");
  ASSERT_FALSE(none.hasValue());
  EXPECT_EQ(none.status().message(), "no route named nope (routes: none)");
}

TEST_F(TestAlertTest, SendsThroughEachEnabledOutputAndReportsEachOutcome) {
  config::AlertsOptions alerts;
  alerts.outputs = {fileOutput("log", dir_.file("alerts.jsonl")),
                    fileOutput("off", dir_.file("off.jsonl"), false),
                    fileOutput("broken", dir_.file("no-such-dir/alerts.jsonl"))};
  alerts.routes = {
      route("everything", {"log", "off", "unconfigured", "broken"}, {"snapshot", "isolate"})};
  auto report = sendTestAlert(alerts, "everything", noEnv, clock_, "host-1");
  ASSERT_TRUE(report.hasValue()) << report.status().toString();
  EXPECT_TRUE(report->stopped.isOk());
  ASSERT_EQ(report->deliveries.size(), 3u);  // "unconfigured" is left out
  EXPECT_EQ(report->deliveries[0].output, "log");
  EXPECT_EQ(report->deliveries[0].outcome, TestOutcome::kSent);
  EXPECT_EQ(report->deliveries[1].output, "off");
  EXPECT_EQ(report->deliveries[1].outcome, TestOutcome::kSkipped);
  EXPECT_EQ(report->deliveries[1].detail, "enabled: false");
  EXPECT_EQ(report->deliveries[2].output, "broken");
  EXPECT_EQ(report->deliveries[2].outcome, TestOutcome::kFailed);
  EXPECT_NE(report->deliveries[2].detail.find("no-such-dir"), std::string::npos)
      << report->deliveries[2].detail;
  EXPECT_EQ(report->failed(), 1);
  EXPECT_EQ(report->actions_not_run, 2u);

  // One marked test message, for this route, stamped with the injected clock.
  std::string written = test::readText(dir_.file("alerts.jsonl"));
  ASSERT_EQ(std::count(written.begin(), written.end(), '\n'), 1) << written;
  EXPECT_TRUE(nlohmann::json::accept(written)) << written;
  EXPECT_NE(written.find("inc-test" + std::to_string(toUnixSeconds(clock_.now()))),
            std::string::npos)
      << written;
  EXPECT_NE(written.find("test message for route everything"), std::string::npos) << written;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("off.jsonl")));
}

TEST_F(TestAlertTest, AnOutputThatCannotBeBuiltStopsTheTestThere) {
  config::AlertsOptions alerts;
  config::OutputOptions hook;
  hook.name = "hook";
  hook.type = "webhook";
  hook.url_env = "HT_TEST_ALERT_UNSET_URL";
  alerts.outputs = {fileOutput("first", dir_.file("first.jsonl")), hook,
                    fileOutput("after", dir_.file("after.jsonl"))};
  alerts.routes = {route("r", {"first", "hook", "after"})};
  auto report = sendTestAlert(alerts, "r", noEnv, clock_, "host-1");
  ASSERT_TRUE(report.hasValue()) << report.status().toString();
  ASSERT_EQ(report->deliveries.size(), 1u);
  EXPECT_EQ(report->deliveries[0].outcome, TestOutcome::kSent);
  EXPECT_FALSE(report->stopped.isOk());
  EXPECT_NE(report->stopped.message().find("alerts.outputs.hook"), std::string::npos)
      << report->stopped.message();
  EXPECT_NE(report->stopped.message().find("HT_TEST_ALERT_UNSET_URL"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_.file("after.jsonl")));
}

}  // namespace
}  // namespace ht::alert
