#include "core/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/secret.h"

namespace ht::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setSink([this](const std::string& line) { lines_.push_back(line); });
    setLevel(Level::kInfo);
    setFormat(Format::kPlain);
  }
  void TearDown() override {
    setSink(nullptr);
    setLevel(Level::kInfo);
    setFormat(Format::kPlain);
  }
  std::vector<std::string> lines_;
};

TEST_F(LogTest, LevelsFilter) {
  debug("hidden");
  info("shown", {{"token", "ht-abc"}});
  setLevel(Level::kError);
  warn("hidden too");
  error("boom");
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_NE(lines_[0].find(" info shown token=ht-abc"), std::string::npos) << lines_[0];
  EXPECT_NE(lines_[1].find(" error boom"), std::string::npos);
}

TEST_F(LogTest, JsonLinesAreValidJson) {
  setFormat(Format::kJson);
  warn("quote \" and newline \n and tab \t", {{"path", "/tmp/x\"y"}});
  ASSERT_EQ(lines_.size(), 1u);
  auto j = nlohmann::json::parse(lines_[0]);
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["msg"], "quote \" and newline \n and tab \t");
  EXPECT_EQ(j["path"], "/tmp/x\"y");
  EXPECT_TRUE(j.contains("ts"));
}

TEST_F(LogTest, SecretShapedValuesAreRedacted) {
  const std::string secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYzz9Q2aB4cD5e";
  info("rendered " + secret + " into file", {{"value", secret}});
  setFormat(Format::kJson);
  error("x", {{"secret", "prefix:" + secret}});
  for (const auto& line : lines_) {
    EXPECT_EQ(line.find(secret), std::string::npos);
    EXPECT_NE(line.find("[REDACTED]"), std::string::npos);
  }
}

TEST(RedactTest, LeavesOrdinaryTextAlone) {
  // A SHA-1 in hex is 40 characters too, but lower case only: not a secret access key.
  std::string sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  EXPECT_EQ(redactSecrets("commit " + sha1), "commit " + sha1);
  EXPECT_EQ(redactSecrets("key AKIAQ2TESTKEYAAAAAAA ok"), "key AKIAQ2TESTKEYAAAAAAA ok");
  // 41 characters is not a secret access key either.
  std::string longer = "wJalrXUtnFEMIK7MDENGbPxRfiCYzz9Q2aB4cD5eX";
  EXPECT_EQ(redactSecrets(longer), longer);
}

TEST(SecretStringTest, NeverPrintsItsValue) {
  SecretString s("wJalrXUtnFEMIK7MDENGbPxRfiCYzz9Q2aB4cD5e");
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "[REDACTED]");
  SecretString moved(std::move(s));
  EXPECT_TRUE(s.empty());  // NOLINT: checking the moved-from state on purpose
  EXPECT_EQ(moved.size(), 40u);
}

}  // namespace
}  // namespace ht::log
