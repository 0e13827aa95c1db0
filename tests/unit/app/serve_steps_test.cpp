// serve's start-up as data: which steps a config asks for and in what order, the checks that run
// before any step (those that depend on this host or concern serve alone), and the shutdown
// bound. The steps themselves run in serve_cli_test against the real binary.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/context.h"
#include "app/serve/state.h"
#include "app/serve/steps.h"
#include "app/serve/watchdog.h"
#include "support/test_support.h"

namespace ht::app::serve {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> namesOf(const std::vector<ServeStep>& steps) {
  std::vector<std::string> names;
  for (const ServeStep& s : steps) names.push_back(s.name);
  return names;
}

TEST(ServeStepsTest, APushOnlyConfigRunsTheCoreAndTheEndpoint) {
  config::Config c;
  c.sources.push.enabled = true;
  EXPECT_EQ(namesOf(serveSteps(c)),
            (std::vector<std::string>{"database", "enrichment", "detection pipeline",
                                      "push endpoint", "health monitor"}));
}

TEST(ServeStepsTest, EverySourceAndAlertsInStartOrderWithTheirStops) {
  config::Config c;
  c.sources.s3.enabled = true;
  c.sources.s3.bucket = "org-trail";
  c.sources.sqs.enabled = true;
  c.sources.sqs.queue_url = "https://sqs.eu-central-1.amazonaws.com/123456789012/trail-objects";
  c.sources.last_used = true;
  c.sources.push.enabled = true;
  c.alerts.outputs.emplace_back();
  std::vector<ServeStep> steps = serveSteps(c);
  EXPECT_EQ(namesOf(steps), (std::vector<std::string>{
                                "database", "enrichment", "alert delivery", "detection pipeline",
                                "source s3:org-trail", "source sqs:trail-objects",
                                "source last-used", "push endpoint", "health monitor"}));
  // What starts a thread or a listener has a stop; the rest has nothing to undo.
  std::map<std::string, bool> has_stop;
  for (const ServeStep& s : steps) has_stop[s.name] = s.stop != nullptr;
  EXPECT_EQ(has_stop, (std::map<std::string, bool>{{"database", false},
                                                   {"enrichment", false},
                                                   {"alert delivery", true},
                                                   {"detection pipeline", false},
                                                   {"source s3:org-trail", true},
                                                   {"source sqs:trail-objects", true},
                                                   {"source last-used", true},
                                                   {"push endpoint", true},
                                                   {"health monitor", true}}));
  // An action alone also needs the delivery loop.
  c.alerts.outputs.clear();
  c.alerts.actions.emplace_back();
  EXPECT_EQ(namesOf(serveSteps(c))[2], "alert delivery");
}

class ServePreflightTest : public ::testing::Test {
 protected:
  // Context over a config file written from `yaml`, as `serve --config FILE` would build it.
  Context& context(const std::string& yaml) {
    std::string path = dir_.file("honeytrail.yaml");
    test::writeText(path, yaml);
    ctx_.emplace(GlobalOptions{dir_.file("data"), path, "", ""});
    return *ctx_;
  }
  static config::EnvLookup env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
  test::TempDir dir_;
  std::optional<Context> ctx_;
};

TEST_F(ServePreflightTest, NoSourceEnabledIsAServeOnlyError) {
  ServeState state(context("log:\n  level: info\n"), SystemClock::instance());
  Status st = preflight(state, env({}));
  EXPECT_EQ(st.message(),
            "no source is enabled: set sources.s3.enabled, sources.sqs.enabled, "
            "sources.push.enabled or sources.last_used in the config (see "
            "docs/honeytrail.example.yaml)");
}

TEST_F(ServePreflightTest, PushVariablesMustBeSetOnThisHost) {
  const std::string yaml =
      "sources:\n  push:\n    enabled: true\n    eventbridge_api_key_env: HT_EB_KEY\n";
  ServeState state(context(yaml), SystemClock::instance());
  EXPECT_EQ(preflight(state, env({})).message(),
            "sources.push.eventbridge_api_key_env names $HT_EB_KEY, which is not set");
  ASSERT_TRUE(preflight(state, env({{"HT_EB_KEY", "k3y"}})).isOk());
  EXPECT_EQ(state.push_credentials.api_key, "k3y");
  EXPECT_EQ(state.push_credentials.api_key_header, "x-api-key");
}

TEST_F(ServePreflightTest, ADisabledEndpointNeedsNoVariables) {
  const std::string yaml =
      "sources:\n  last_used: true\n  push:\n    eventbridge_api_key_env: HT_EB_KEY\n";
  ServeState state(context(yaml), SystemClock::instance());
  EXPECT_TRUE(preflight(state, env({})).isOk());
  EXPECT_EQ(state.push_credentials.api_key, "");
}

TEST(ShutdownWatchdogTest, ActsWhenShutdownOverrunsTheBound) {
  std::atomic<bool> stop{false};
  std::promise<void> expired;
  ShutdownWatchdog watchdog(stop, 20ms, [&] { expired.set_value(); });
  stop = true;
  EXPECT_EQ(expired.get_future().wait_for(10s), std::future_status::ready);
}

TEST(ShutdownWatchdogTest, StaysQuietWhenShutdownFinishesInTime) {
  std::atomic<int> expired{0};
  std::atomic<bool> stop{false};
  {
    ShutdownWatchdog watchdog(stop, 60s, [&] { ++expired; });
    stop = true;
    watchdog.finished();  // within the bound: returns at once, without waiting it out
  }
  std::atomic<bool> never{false};
  {
    // Without a stop the bound never starts, however short it is.
    ShutdownWatchdog watchdog(never, 1ms, [&] { ++expired; });
  }
  EXPECT_EQ(expired, 0);
}

}  // namespace
}  // namespace ht::app::serve
