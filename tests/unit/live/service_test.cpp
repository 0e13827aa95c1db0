// serve's frame: PollLoop paces a source on the injected clock (interval, the pause after a
// failure, health written after every round, a stop that ends the wait at once), and Service
// starts its steps in order, polls for the stop on the clock and stops the steps in reverse.
// The loops run on a test::ManualClock, so rounds minutes apart take no real time.
#include "live/service.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "support/manual_clock.h"
#include "support/test_support.h"

namespace ht::live {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Runs a PollLoop on `clock` until `rounds` polls have run; the last poll asks for the stop, so
// the wait after it returns at once. Returns each poll's steady time, relative to the start.
std::vector<nanoseconds> pollTimes(test::ManualClock& clock, milliseconds interval, int rounds,
                                   std::function<Status(int)> outcome,
                                   HealthTracker* health = nullptr,
                                   std::function<void(int)> check = nullptr) {
  const SteadyTime t0 = clock.steadyNow();
  std::vector<nanoseconds> times;
  PollLoop* self = nullptr;
  PollLoop loop(
      "test",
      [&]() -> Status {
        const int round = static_cast<int>(times.size());
        times.push_back(clock.steadyNow() - t0);
        if (check) check(round);
        if (round + 1 == rounds) self->requestStop();
        return outcome(round);
      },
      interval, health, clock);
  self = &loop;
  loop.start();
  loop.join();
  return times;
}

TEST(PollLoopTest, PollsIntervalApartOnTheClock) {
  test::ManualClock clock;
  auto times = pollTimes(clock, seconds(30), 4, [](int) { return Status::ok(); });
  EXPECT_EQ(times, (std::vector<nanoseconds>{seconds(0), seconds(30), seconds(60), seconds(90)}));
  // Three waits between four polls; the stop asked for in the last round ends the loop without
  // a fourth.
  EXPECT_EQ(clock.waits(), (std::vector<nanoseconds>(3, seconds(30))));
}

// A loop that normally goes straight on (an SQS long poll, interval 0) must not spin on a poll
// that fails at once; a loop with a longer interval keeps it.
TEST(PollLoopTest, AFailedPollPausesAtLeastTheErrorPause) {
  test::ManualClock clock;
  auto failFirst = [](int round) {
    return round == 0 ? Status::ioError("queue unreachable") : Status::ok();
  };
  auto times = pollTimes(clock, milliseconds(0), 3, failFirst);
  EXPECT_EQ(times,
            (std::vector<nanoseconds>{seconds(0), PollLoop::kErrorPause, PollLoop::kErrorPause}));

  test::ManualClock slow;
  times = pollTimes(slow, seconds(60), 3, failFirst);
  EXPECT_EQ(times, (std::vector<nanoseconds>{seconds(0), seconds(60), seconds(120)}));
}

// Each round ends by writing the source's health: the next round finds the previous one's
// record in the store, stamped with the clock's time at the end of that round.
TEST(PollLoopTest, HealthIsWrittenAfterEveryRound) {
  test::TempDir dir;
  auto store = std::move(store::openSqliteStore(dir.file("h.db"), {})).value();
  test::ManualClock clock(fromUnixSeconds(1767225600));
  HealthTracker health(*store, "s3:trail", "s3", clock);
  std::vector<std::optional<TimePoint>> seen;
  auto times = pollTimes(
      clock, seconds(60), 3,
      [&](int) {
        health.polled();
        return Status::ok();
      },
      &health,
      [&](int) {
        auto rows = store->listSourceHealth();
        ASSERT_TRUE(rows.hasValue());
        seen.push_back(rows->empty() ? std::nullopt
                                     : std::optional<TimePoint>(rows->front().updated_at));
      });
  ASSERT_EQ(times.size(), 3u);
  EXPECT_EQ(seen, (std::vector<std::optional<TimePoint>>{std::nullopt, fromUnixSeconds(1767225600),
                                                         fromUnixSeconds(1767225600 + 60)}));
  auto rows = store->listSourceHealth();
  ASSERT_TRUE(rows.hasValue());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().updated_at, fromUnixSeconds(1767225600 + 120)) << "the last round too";
  EXPECT_EQ(rows->front().last_poll_at, fromUnixSeconds(1767225600 + 120));
}

// On the real clock: a loop waiting out an hour-long interval stops as soon as it is asked.
TEST(PollLoopTest, StopEndsTheWaitAtOnce) {
  std::promise<void> polled;
  int polls = 0;
  PollLoop loop(
      "test",
      [&]() -> Status {
        if (++polls == 1) polled.set_value();
        return Status::ok();
      },
      std::chrono::hours(1), nullptr, SystemClock::instance());
  loop.start();
  ASSERT_EQ(polled.get_future().wait_for(seconds(10)), std::future_status::ready);
  const auto t0 = std::chrono::steady_clock::now();
  loop.requestStop();
  loop.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(10));
  EXPECT_EQ(polls, 1);
  EXPECT_TRUE(loop.stopFlag().load()) << "sources see the stop between objects";
}

TEST(ServiceTest, StartsInOrderWaitsForTheStopOnTheClockAndStopsInReverse) {
  test::ManualClock clock;
  std::vector<std::string> events;
  Service service(clock);
  for (const char* name : {"database", "pipeline", "source"}) {
    service.add({name,
                 [&events, name] {
                   events.push_back(std::string("start ") + name);
                   return Status::ok();
                 },
                 [&events, name] { events.push_back(std::string("stop ") + name); }});
  }
  const SteadyTime t0 = clock.steadyNow();
  int checks = 0;
  Status st = service.run([&] {
    ++checks;
    return clock.steadyNow() - t0 >= seconds(1);
  });
  EXPECT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(events, (std::vector<std::string>{"start database", "start pipeline", "start source",
                                              "stop source", "stop pipeline", "stop database"}));
  // Checked every kStopCheck of clock time: ten waits of 100 ms make the second.
  EXPECT_EQ(clock.waits(), (std::vector<nanoseconds>(10, Service::kStopCheck)));
  EXPECT_EQ(checks, 11);
}

TEST(ServiceTest, AFailedStepStopsTheStartedOnesInReverseWithoutWaiting) {
  test::ManualClock clock;
  std::vector<std::string> events;
  Service service(clock);
  service.add({"database",
               [&] {
                 events.push_back("start database");
                 return Status::ok();
               },
               [&] { events.push_back("stop database"); }});
  service.add({"pipeline",
               [&] {
                 events.push_back("start pipeline");
                 return Status::ok();
               },
               {}});
  service.add({"source",
               [&] {
                 events.push_back("start source");
                 return Status::ioError("bucket unreachable");
               },
               [&] { events.push_back("stop source"); }});
  service.add({"never",
               [&] {
                 events.push_back("start never");
                 return Status::ok();
               },
               {}});
  Status st = service.run([] {
    ADD_FAILURE() << "the stop was polled although a step failed";
    return true;
  });
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find("starting source"), std::string::npos) << st.message();
  EXPECT_EQ(events, (std::vector<std::string>{"start database", "start pipeline", "start source",
                                              "stop database"}));
  EXPECT_TRUE(clock.waits().empty());
}

}  // namespace
}  // namespace ht::live
