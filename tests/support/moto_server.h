// Runs moto_server, the independent AWS emulator shipped with the machine image (Python moto
// 5.2.1), on 127.0.0.1 and a free port for the duration of a test suite. A missing moto_server is
// a test failure that says so, never a silent skip.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <map>
#include <string>

namespace ht::test {

// Credentials that AWS clients send to the emulator (moto accepts any), with the shared files
// pointed nowhere so that a developer's own profiles never leak into a test.
const std::map<std::string, std::string>& fakeAwsEnv();

class MotoServer {
 public:
  // extra_env: e.g. {"INITIAL_NO_AUTH_ACTION_COUNT", "0"} to make moto enforce IAM policies.
  explicit MotoServer(std::map<std::string, std::string> extra_env = {});
  ~MotoServer();
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  bool running() const { return pid_ > 0 && error_.empty(); }
  const std::string& error() const { return error_; }        // why it did not start
  const std::string& endpoint() const { return endpoint_; }  // http://127.0.0.1:PORT
  // Forgets every resource (POST /moto-api/reset).
  bool reset();

  // Where moto_server is, or "" when it is not installed.
  static std::string findBinary();

 private:
  pid_t pid_ = -1;
  std::string endpoint_;
  std::string error_;
  std::string log_path_;
};

// A test suite that shares one emulator across its tests (starting moto takes a second or two)
// and gives each test an empty one. Derived SetUp() calls MotoTest::SetUp() first.
class MotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { moto_ = new MotoServer(); }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(moto_->running()) << moto_->error();
    ASSERT_TRUE(moto_->reset());
  }
  static inline MotoServer* moto_ = nullptr;
};

}  // namespace ht::test
