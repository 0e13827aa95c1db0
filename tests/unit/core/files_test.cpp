#include "core/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "support/test_support.h"

namespace ht {
namespace {

mode_t modeOf(const std::string& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(FilesTest, AtomicWriteReplacesWithModeAndLeavesNoTemporaries) {
  test::TempDir dir;
  std::string p = dir.file("credentials");
  ASSERT_TRUE(writeFileAtomic(p, "one", 0600).isOk());
  ASSERT_TRUE(writeFileAtomic(p, "two", 0640).isOk());
  EXPECT_EQ(*readFile(p), "two");
  EXPECT_EQ(modeOf(p), 0640u);
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1) << "no temporary file is left behind";
}

TEST(FilesTest, ExclusiveWriteRefusesExistingFile) {
  test::TempDir dir;
  std::string p = dir.file("master.key");
  ASSERT_TRUE(writeFileExclusive(p, "first", 0600).isOk());
  Status st = writeFileExclusive(p, "second", 0600);
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*readFile(p), "first");
  EXPECT_EQ(modeOf(p), 0600u);
}

TEST(FilesTest, ErrorsNameThePath) {
  auto missing = readFile("/nonexistent/honeytrail/file");
  ASSERT_FALSE(missing.hasValue());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/honeytrail/file"), std::string::npos);
  Status st = writeFileAtomic("/nonexistent/dir/file", "x", 0600);
  EXPECT_FALSE(st.isOk());
}

TEST(FilesTest, EnsurePrivateDirCreatesWith0700) {
  test::TempDir dir;
  std::string d = dir.file("a/b/data");
  ASSERT_TRUE(ensurePrivateDir(d, 0700).isOk());
  EXPECT_EQ(modeOf(d), 0700u);
  test::writeText(dir.file("f"), "x");
  Status st = ensurePrivateDir(dir.file("f"), 0700);
  EXPECT_FALSE(st.isOk());
  EXPECT_NE(st.message().find("not a directory"), std::string::npos);
}

}  // namespace
}  // namespace ht
