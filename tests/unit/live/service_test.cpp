// serve's shape: steps start in order, and whatever started is stopped in reverse, whether a
// later step fails or shutdown is asked for.
#include "live/service.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ht::live {
namespace {

class ServiceTest : public ::testing::Test {
 protected:
  // A step that records its start and stop in events_; fail makes its start fail.
  Service::Step step(const std::string& name, bool fail = false, bool has_stop = true) {
    Service::Step s;
    s.name = name;
    s.start = [this, name, fail]() -> Status {
      events_.push_back("start " + name);
      return fail ? Status::ioError(name + " is broken") : Status::ok();
    };
    if (has_stop) s.stop = [this, name] { events_.push_back("stop " + name); };
    return s;
  }
  std::vector<std::string> events_;
};

TEST_F(ServiceTest, StopsEveryStartedStepInReverseOnShutdown) {
  Service service;
  service.add(step("database"));
  service.add(step("pipeline", false, false));
  service.add(step("source s3:trail"));
  service.add(step("push endpoint"));
  Status st = service.run([] { return true; });
  EXPECT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(events_,
            (std::vector<std::string>{"start database", "start pipeline", "start source s3:trail",
                                      "start push endpoint", "stop push endpoint",
                                      "stop source s3:trail", "stop database"}));
}

TEST_F(ServiceTest, AFailedStepStopsWhatStartedBeforeItAndNothingAfter) {
  Service service;
  service.add(step("database"));
  service.add(step("source s3:trail"));
  service.add(step("push endpoint", true));
  service.add(step("health monitor"));
  bool asked = false;
  Status st = service.run([&] {
    asked = true;
    return true;
  });
  EXPECT_FALSE(asked) << "a failed start never waits for a stop";
  EXPECT_EQ(st.message(), "serve: starting push endpoint: push endpoint is broken");
  EXPECT_EQ(events_, (std::vector<std::string>{"start database", "start source s3:trail",
                                               "start push endpoint", "stop source s3:trail",
                                               "stop database"}));
}

}  // namespace
}  // namespace ht::live
