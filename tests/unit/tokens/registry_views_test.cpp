// The registry's read services that front ends show over a real SQLite file: tokens with their
// placements, the summary `status` prints, and the token-to-key-ID join of trigger and placement
// lists.
#include <gtest/gtest.h>

#include "config/options.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::tokens {
namespace {

class RegistryViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::openSqliteStore(dir_.file("ht.db"), config::SqliteOptions{});
    ASSERT_TRUE(opened.hasValue()) << opened.status().toString();
    store_ = std::move(opened).value();
    registry_ = std::make_unique<Registry>(*store_, vault_, config_, clock_, random_, "test@host");
  }

  Token import(const std::string& key_id) {
    ImportOptions imp;
    imp.key_id = key_id;
    auto t = registry_->importKey(imp);
    EXPECT_TRUE(t.hasValue()) << t.status().toString();
    return t.hasValue() ? *t : Token{};
  }

  void place(const Token& t, const std::string& host) {
    Placement p;
    p.token_id = t.id;
    p.host = host;
    ASSERT_TRUE(registry_->addPlacement(p).hasValue());
  }

  test::TempDir dir_;
  config::Config config_;
  FixedClock clock_{*parseTime("2026-11-28T12:00:00Z")};
  SeededRandomSource random_{3};
  std::unique_ptr<store::Store> store_;
  SecretVault vault_{config::SecretsOptions{}, dir_.path(),
                     [](const std::string&) { return std::nullopt; }};
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryViewsTest, AnEmptyRegistry) {
  auto s = registry_->summary();
  ASSERT_TRUE(s.hasValue()) << s.status().toString();
  EXPECT_EQ(s->tokens, 0u);
  EXPECT_EQ(s->active + s->revoked + s->unplaced + s->secrets_stored, 0);
  EXPECT_TRUE(registry_->listPlaced({})->empty());
  EXPECT_TRUE(registry_->keyIdsByToken()->empty());
}

TEST_F(RegistryViewsTest, TokensWithTheirPlacementsAndTheSummary) {
  Token placed = import("AKIASP2TPHJSQH3FJRUX");
  Token unplaced = import("AKIATFQR7NSCUXC3DDDP");
  Token retired = import("AKIAYBQMTXJYXH2OYYUW");
  place(placed, "web-01");
  place(placed, "web-02");
  place(retired, "old-host");
  ASSERT_TRUE(registry_->revoke(retired, "done").isOk());
  CreateOptions create;
  create.backend = "synthetic";
  auto minted = registry_->create(create);  // secret kept: sealed in the vault
  ASSERT_TRUE(minted.hasValue()) << minted.status().toString();

  auto all = registry_->listPlaced({});
  ASSERT_TRUE(all.hasValue()) << all.status().toString();
  ASSERT_EQ(all->size(), 4u);
  for (const auto& [t, placements] : *all) {
    std::vector<std::string> hosts;
    for (const auto& p : placements) {
      EXPECT_EQ(p.token_id, t.id);
      hosts.push_back(p.host);
    }
    std::vector<std::string> expected;
    if (t.id == placed.id) expected = {"web-01", "web-02"};
    if (t.id == retired.id) expected = {"old-host"};
    EXPECT_EQ(hosts, expected) << t.id << (t.id == unplaced.id ? " (unplaced)" : "");
  }

  tokens::TokenFilter revoked;
  revoked.status = TokenStatus::kRevoked;
  auto only_revoked = registry_->listPlaced(revoked);
  ASSERT_TRUE(only_revoked.hasValue());
  ASSERT_EQ(only_revoked->size(), 1u);
  EXPECT_EQ((*only_revoked)[0].token.id, retired.id);
  EXPECT_EQ((*only_revoked)[0].placements.size(), 1u);

  auto s = registry_->summary();
  ASSERT_TRUE(s.hasValue());
  EXPECT_EQ(s->tokens, 4u);
  EXPECT_EQ(s->active, 3);
  EXPECT_EQ(s->revoked, 1);
  EXPECT_EQ(s->unplaced, 2) << "the unplaced import and the minted token; not the revoked one";
  EXPECT_EQ(s->secrets_stored, 1);

  auto key_of = registry_->keyIdsByToken();
  ASSERT_TRUE(key_of.hasValue());
  EXPECT_EQ(key_of->size(), 4u);
  EXPECT_EQ(key_of->at(placed.id), "AKIASP2TPHJSQH3FJRUX");
  EXPECT_EQ(key_of->at(retired.id), "AKIAYBQMTXJYXH2OYYUW");
  EXPECT_EQ(key_of->at(minted->token.id), minted->token.key_id);
}

}  // namespace
}  // namespace ht::tokens
