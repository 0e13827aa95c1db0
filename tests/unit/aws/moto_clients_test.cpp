// IAM and S3 clients against moto_server, started here on 127.0.0.1: name collisions while
// minting, and ListObjectsV2 pagination over more than 1,000 CloudTrail keys uploaded with the
// AWS CLI.
#include <gtest/gtest.h>

#include <filesystem>

#include "aws/session.h"
#include "support/moto_server.h"
#include "support/test_support.h"
#include "tokens/minter.h"
#include "tokens/name_generator.h"

namespace ht::aws {
namespace {

const std::map<std::string, std::string>& kEnv = test::fakeAwsEnv();

class MotoClientsTest : public test::MotoTest {
 protected:
  void SetUp() override {
    test::MotoTest::SetUp();
    if (HasFatalFailure()) return;
    config::AwsOptions options;
    options.endpoint_url = moto_->endpoint();
    options.max_attempts = 2;
    auto session =
        AwsSession::create(options, SystemClock::instance(), [](const std::string& name) {
          auto it = kEnv.find(name);
          return it == kEnv.end() ? std::nullopt : std::optional<std::string>(it->second);
        });
    ASSERT_TRUE(session.hasValue()) << session.status().toString();
    session_ = std::move(session).value();
  }
  test::RunResult awsCli(std::vector<std::string> args) {
    std::vector<std::string> argv = {test::awsCli(), "--endpoint-url", moto_->endpoint()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto env = kEnv;
    env["HOME"] = dir_.path();
    return test::run(argv, env);
  }

  std::unique_ptr<AwsSession> session_;
  test::TempDir dir_;
};

TEST_F(MotoClientsTest, MintDrawsAnotherNameWhenTheFirstIsTaken) {
  ASSERT_EQ(awsCli({"iam", "create-user", "--user-name", "svc-billing-export"}).exit_code, 0);
  auto minter = tokens::makeAwsMinter(session_->iam(), {}, SystemClock::instance());
  std::vector<std::string> names = {"svc-billing-export", "svc-backup-sync"};
  size_t drawn = 0;
  tokens::MintRequest req;
  req.next_name = [&]() -> Result<tokens::GeneratedName> {
    return tokens::GeneratedName{names[std::min(drawn++, names.size() - 1)], "/service/"};
  };
  auto minted = minter->mint(req);
  ASSERT_TRUE(minted.hasValue()) << minted.status().toString();
  EXPECT_EQ(drawn, 2u);
  EXPECT_EQ(minted->user_name, "svc-backup-sync");
  EXPECT_EQ(minted->user_path, "/service/");
  auto user = session_->iam().getUser("svc-backup-sync");
  ASSERT_TRUE(user.hasValue()) << user.status().toString();
  EXPECT_EQ(minted->principal_id, user->user_id) << "the unique ID IAM reports is recorded";
  EXPECT_EQ(minted->user_arn, user->arn);

  // A name the operator chose is never silently replaced.
  tokens::MintRequest chosen;
  chosen.user_name = "svc-billing-export";
  auto refused = minter->mint(chosen);
  ASSERT_FALSE(refused.hasValue());
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists);

  // Retiring deletes everything, and retiring again is not an error.
  tokens::Token t;
  t.id = "ht-test";
  t.user_name = minted->user_name;
  ASSERT_TRUE(minter->retire(t).isOk());
  EXPECT_EQ(session_->iam().getUser(t.user_name).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(minter->retire(t).isOk());
}

TEST_F(MotoClientsTest, ListObjectsPaginatesOverMoreThanAThousandCloudTrailKeys) {
  constexpr int kFiles = 1050;
  std::string root = dir_.file("upload");
  std::string prefix = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/28/";
  std::filesystem::create_directories(root + "/" + prefix);
  for (int i = 0; i < kFiles; ++i) {
    char name[128];
    std::snprintf(name, sizeof name,
                  "123456789012_CloudTrail_us-east-1_20261128T%04dZ_%04d.json.gz", i, i);
    test::writeText(root + "/" + prefix + name, "{\"Records\":[]}");
  }
  ASSERT_EQ(awsCli({"s3api", "create-bucket", "--bucket", "audit-logs"}).exit_code, 0);
  test::RunResult up =
      awsCli({"s3", "cp", "--recursive", "--only-show-errors", root, "s3://audit-logs/"});
  ASSERT_EQ(up.exit_code, 0) << up.err;

  S3Client& s3 = session_->s3();
  ListObjectsRequest first;
  first.bucket = "audit-logs";
  first.prefix = prefix;
  auto page = s3.listObjectsV2(first);
  ASSERT_TRUE(page.hasValue()) << page.status().toString();
  EXPECT_EQ(page->objects.size(), 1000u);
  EXPECT_TRUE(page->is_truncated);
  EXPECT_FALSE(page->next_continuation_token.empty());

  auto all = s3.listAll("audit-logs", prefix);
  ASSERT_TRUE(all.hasValue()) << all.status().toString();
  ASSERT_EQ(all->size(), static_cast<size_t>(kFiles));
  for (size_t i = 1; i < all->size(); ++i) EXPECT_LT((*all)[i - 1].key, (*all)[i].key);

  // StartAfter resumes after a checkpoint.
  auto rest = s3.listAll("audit-logs", prefix, (*all)[999].key);
  ASSERT_TRUE(rest.hasValue());
  EXPECT_EQ(rest->size(), static_cast<size_t>(kFiles - 1000));
  EXPECT_EQ(rest->front().key, (*all)[1000].key);

  auto body = s3.getObject("audit-logs", (*all)[0].key);
  ASSERT_TRUE(body.hasValue()) << body.status().toString();
  EXPECT_EQ(*body, "{\"Records\":[]}");
  auto range = s3.getObject("audit-logs", (*all)[0].key, "bytes=2-8");
  ASSERT_TRUE(range.hasValue()) << range.status().toString();
  EXPECT_EQ(*range, "Records");
  EXPECT_EQ(s3.getObject("audit-logs", "no/such/key").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ht::aws
