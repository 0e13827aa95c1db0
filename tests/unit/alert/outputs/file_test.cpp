// The file output against real files: JSON lines that stay whole when many writers append at
// once, log rotation, standard output.
#include "alert/outputs/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/strings.h"
#include "support/test_support.h"
#include "unit/alert/outputs/fixtures.h"

namespace ht::alert {
namespace {

using fixtures::itemWith;

config::OutputOptions fileOptions(const std::string& path) {
  config::OutputOptions o;
  o.name = "file";
  o.type = "file";
  o.path = path;
  return o;
}
std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out = split(text, '\n');
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

TEST(FileOutputTest, AppendsOneJsonLinePerItemWithMode0600) {
  test::TempDir dir;
  const std::string path = dir / "alerts.jsonl";
  auto out = makeFileOutput(fileOptions(path));
  ASSERT_TRUE(out->deliver(itemWith(R"({"incident_id":"inc-1","kind":"new"})")).ok);
  ASSERT_TRUE(out->deliver(itemWith(R"({"incident_id":"inc-1","kind":"escalation"})", 2)).ok);

  std::string text = test::readText(path);
  EXPECT_EQ(text.back(), '\n');
  std::vector<std::string> got = lines(text);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(got[0]).at("kind"), "new");
  EXPECT_EQ(nlohmann::json::parse(got[1]).at("kind"), "escalation");

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(FileOutputTest, FollowsLogRotation) {
  test::TempDir dir;
  const std::string path = dir / "alerts.jsonl";
  auto out = makeFileOutput(fileOptions(path));
  ASSERT_TRUE(out->deliver(itemWith(R"({"n":1})")).ok);
  ASSERT_EQ(::rename(path.c_str(), (dir / "alerts.jsonl.1").c_str()), 0);
  ASSERT_TRUE(out->deliver(itemWith(R"({"n":2})")).ok);
  EXPECT_EQ(test::readText(dir / "alerts.jsonl.1"), "{\"n\":1}\n");
  EXPECT_EQ(test::readText(path), "{\"n\":2}\n");
}

TEST(FileOutputTest, ConcurrentWritersNeverInterleaveLines) {
  test::TempDir dir;
  const std::string path = dir / "alerts.jsonl";
  constexpr int kThreads = 8;
  constexpr int kLines = 200;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // One output per thread, as separate outputs (or processes) sharing a file would be.
      auto out = makeFileOutput(fileOptions(path));
      for (int i = 0; i < kLines; ++i) {
        nlohmann::json body = {{"thread", t}, {"i", i}, {"pad", std::string(3000 + 37 * i, 'x')}};
        DeliveryResult r = out->deliver(itemWith(body.dump(), i));
        if (!r.ok) errors[t] = r.error;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");

  std::vector<std::string> got = lines(test::readText(path));
  ASSERT_EQ(got.size(), static_cast<size_t>(kThreads * kLines));
  std::set<std::pair<int, int>> seen;
  for (const std::string& line : got) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << "not a whole JSON line: " << line.substr(0, 80);
    EXPECT_EQ(j.at("pad").get<std::string>().size(), 3000u + 37 * j.at("i").get<unsigned>());
    seen.insert({j.at("thread").get<int>(), j.at("i").get<int>()});
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kLines));
}

TEST(FileOutputTest, MissingDirectoryIsARetryableErrorNamingThePath) {
  test::TempDir dir;
  const std::string path = dir / "missing/alerts.jsonl";
  auto out = makeFileOutput(fileOptions(path));
  DeliveryResult r = out->deliver(itemWith("{}"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.error.find(path), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("No such file or directory"), std::string::npos) << r.error;
}

TEST(FileOutputTest, DashWritesToStandardOutput) {
  test::TempDir dir;
  const std::string capture = dir / "stdout";
  int fd = ::open(capture.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(::dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
  DeliveryResult r = makeFileOutput(fileOptions("-"))->deliver(itemWith(R"({"to":"stdout"})"));
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ::close(fd);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(test::readText(capture), "{\"to\":\"stdout\"}\n");
}

TEST(FileOutputTest, ClosedStandardOutputPipeIsAnErrorNotADeadProcess) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  ::close(fds[0]);  // the reader went away
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(::dup2(fds[1], STDOUT_FILENO), STDOUT_FILENO);
  // Default SIGPIPE disposition, as in the daemon (the test helpers ignore it).
  auto old = std::signal(SIGPIPE, SIG_DFL);
  DeliveryResult r = makeFileOutput(fileOptions("-"))->deliver(itemWith("{}"));
  std::signal(SIGPIPE, old);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ::close(fds[1]);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("standard output"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("Broken pipe"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace ht::alert
