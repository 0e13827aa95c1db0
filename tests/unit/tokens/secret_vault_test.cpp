#include "tokens/secret_vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "support/test_support.h"

namespace ht::tokens {
namespace {

SecretVault::EnvLookup envFrom(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const SecretString kSecret("wJalrXUtnFEMIK7MDENGbPxRfiCYzz9Q2aB4cD5e");

TEST(SecretVaultTest, GeneratesPrivateMasterKeyAndRoundTrips) {
  test::TempDir dir;
  SecretVault vault({}, dir.path(), envFrom({}));
  auto sealed = vault.seal("AKIAQ2TESTKEYAAAAAAA", kSecret);
  ASSERT_TRUE(sealed.hasValue()) << sealed.status().toString();
  EXPECT_EQ(sealed->ciphertext.find("wJalrXUtnFEMIK7MDENG"), std::string::npos)
      << "ciphertext is not plaintext";
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A second vault (another process) reads the same key file.
  SecretVault again({}, dir.path(), envFrom({}));
  auto opened = again.open("AKIAQ2TESTKEYAAAAAAA", *sealed);
  ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
  EXPECT_TRUE(opened->reveal() == kSecret.reveal());
}

TEST(SecretVaultTest, CiphertextIsBoundToItsKeyId) {
  test::TempDir dir;
  SecretVault vault({}, dir.path(), envFrom({}));
  auto sealed = vault.seal("AKIAQ2TESTKEYAAAAAAA", kSecret);
  ASSERT_TRUE(sealed.hasValue());
  auto wrong = vault.open("AKIAQ2TESTKEYBBBBBBB", *sealed);
  ASSERT_FALSE(wrong.hasValue());
  EXPECT_EQ(wrong.status().code(), StatusCode::kCorruption);
  auto tampered = *sealed;
  tampered.ciphertext[5] ^= 1;
  EXPECT_EQ(vault.open("AKIAQ2TESTKEYAAAAAAA", tampered).status().code(), StatusCode::kCorruption);
}

TEST(SecretVaultTest, KeyFromEnvironmentWins) {
  test::TempDir dir;
  // 32 bytes of 'k', base64.
  std::string key_b64 = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=";
  SecretVault vault({}, dir.path(), envFrom({{"HONEYTRAIL_MASTER_KEY", key_b64}}));
  auto sealed = vault.seal("AKIAQ2TESTKEYAAAAAAA", kSecret);
  ASSERT_TRUE(sealed.hasValue()) << sealed.status().toString();
  EXPECT_FALSE(test::readText(dir.file("master.key")).size() > 0) << "no key file is generated";
  SecretVault without({}, dir.path(), envFrom({}));
  EXPECT_FALSE(without.open("AKIAQ2TESTKEYAAAAAAA", *sealed).hasValue());

  SecretVault bad({}, dir.path(), envFrom({{"HONEYTRAIL_MASTER_KEY", "too-short"}}));
  auto st = bad.seal("AKIAQ2TESTKEYAAAAAAA", kSecret);
  ASSERT_FALSE(st.hasValue());
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.status().message().find("too-short"), std::string::npos)
      << "key material is never echoed";
}

TEST(SecretVaultTest, RefusesKeyFileReadableByOthers) {
  test::TempDir dir;
  std::string path = dir.file("custom.key");
  test::writeText(path, std::string(32, 'z'));
  ::chmod(path.c_str(), 0644);
  config::SecretsOptions opts;
  opts.master_key_file = path;
  SecretVault vault(opts, dir.path(), envFrom({}));
  auto st = vault.seal("AKIAQ2TESTKEYAAAAAAA", kSecret);
  ASSERT_FALSE(st.hasValue());
  EXPECT_EQ(st.status().code(), StatusCode::kPermissionDenied);
  ::chmod(path.c_str(), 0600);
  EXPECT_TRUE(vault.seal("AKIAQ2TESTKEYAAAAAAA", kSecret).hasValue());

  opts.master_key_file = dir.file("missing.key");
  SecretVault missing(opts, dir.path(), envFrom({}));
  EXPECT_EQ(missing.seal("AKIAQ2TESTKEYAAAAAAA", kSecret).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ht::tokens
