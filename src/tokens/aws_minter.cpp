// The aws minting back-end: a real IAM user per token in the honey account, with an inline
// policy that denies everything and one access key.
#include <nlohmann/json.hpp>

#include "aws/iam_client.h"
#include "core/log.h"
#include "tokens/minter.h"
#include "tokens/name_generator.h"

namespace ht::tokens {
namespace {

constexpr const char* kDenyAll =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})";

// "arn:aws:iam::123456789012:user/path/name" -> "123456789012".
std::string accountOfArn(const std::string& arn) {
  size_t a = 0;
  for (int i = 0; i < 4 && a != std::string::npos; ++i) a = arn.find(':', a + 1);
  if (a == std::string::npos) return "";
  size_t b = arn.find(':', a + 1);
  return b == std::string::npos ? "" : arn.substr(a + 1, b - a - 1);
}

class AwsMinter final : public Minter {
 public:
  AwsMinter(aws::IamClient& iam, AwsMinterOptions options, const Clock& clock)
      : iam_(iam), options_(std::move(options)), clock_(clock) {}
  const char* name() const override { return "aws"; }

  Result<MintedKey> mint(const MintRequest& req) override {
    const bool chosen = !req.user_name.empty();
    aws::IamUser user;
    for (int attempt = 1;; ++attempt) {
      std::string name = req.user_name, path = req.user_path;
      if (!chosen) {
        if (!req.next_name) return Status::invalidArgument("no user name given and no name source");
        HT_ASSIGN_OR_RETURN(GeneratedName drawn, req.next_name());
        name = drawn.user_name;
        if (path.empty()) path = drawn.path;
      }
      if (path.empty())
        path.assign(1, '/');  // not = "/": GCC 12 -Wrestrict false positive (PR 105651)
      std::vector<std::pair<std::string, std::string>> tags(req.tags.begin(), req.tags.end());
      auto created = iam_.createUser(name, path, tags);
      if (created.hasValue()) {
        user = std::move(created).value();
        break;
      }
      bool collision = iam_.lastError().code == "EntityAlreadyExists";
      if (!collision || chosen || attempt >= options_.max_name_attempts) {
        if (collision && chosen) {
          return Status::alreadyExists("IAM user '" + name +
                                       "' already exists in the honey account");
        }
        return created.status().withContext("creating IAM user");
      }
      log::info("IAM user name taken; drawing another", {{"attempt", std::to_string(attempt)}});
    }

    Status policy = iam_.putUserPolicy(user.user_name, options_.deny_policy_name, kDenyAll);
    if (!policy.isOk()) {
      undo(user.user_name, false);
      return policy.withContext("attaching the deny-all policy to " + user.user_name);
    }
    auto key = iam_.createAccessKey(user.user_name);
    if (!key.hasValue()) {
      undo(user.user_name, true);
      return key.status().withContext("creating the access key of " + user.user_name);
    }
    MintedKey k;
    k.key_id = key->access_key_id;
    k.secret = std::move(key->secret_access_key);
    k.user_name = user.user_name;
    k.user_path = user.path.empty() ? "/" : user.path;
    k.user_arn = user.arn;
    k.principal_id = user.user_id;
    k.account_id = accountOfArn(user.arn);
    k.can_trigger = true;
    k.key_created_at = key->create_date.value_or(clock_.now());
    return k;
  }

  // Deletes keys, inline and attached policies, then the user. A user that is already gone is
  // not an error: revocation wants it gone.
  Status retire(const Token& token) override {
    if (token.user_name.empty()) {
      return Status::failedPrecondition("token " + token.id + " has no IAM user name to delete");
    }
    auto keys = iam_.listAccessKeys(token.user_name);
    if (!keys.hasValue()) {
      if (keys.status().code() == StatusCode::kNotFound) return Status::ok();
      return keys.status().withContext("listing the keys of " + token.user_name);
    }
    for (const auto& k : *keys) {
      HT_RETURN_IF_ERROR(iam_.deleteAccessKey(token.user_name, k.access_key_id));
    }
    HT_ASSIGN_OR_RETURN(auto inline_policies, iam_.listUserPolicies(token.user_name));
    for (const auto& p : inline_policies)
      HT_RETURN_IF_ERROR(iam_.deleteUserPolicy(token.user_name, p));
    HT_ASSIGN_OR_RETURN(auto attached, iam_.listAttachedUserPolicies(token.user_name));
    for (const auto& arn : attached)
      HT_RETURN_IF_ERROR(iam_.detachUserPolicy(token.user_name, arn));
    Status deleted = iam_.deleteUser(token.user_name);
    if (!deleted.isOk() && deleted.code() != StatusCode::kNotFound) return deleted;
    return Status::ok();
  }

 private:
  // Best effort rollback of a half-made user; what cannot be removed is logged by name.
  void undo(const std::string& user, bool has_policy) {
    if (has_policy) {
      Status st = iam_.deleteUserPolicy(user, options_.deny_policy_name);
      if (!st.isOk())
        log::error("rollback: could not delete policy", {{"user", user}, {"error", st.message()}});
    }
    Status st = iam_.deleteUser(user);
    if (!st.isOk())
      log::error("rollback: could not delete IAM user", {{"user", user}, {"error", st.message()}});
  }

  aws::IamClient& iam_;
  AwsMinterOptions options_;
  const Clock& clock_;
};

bool isStar(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>() == "*";
  return v.is_array() && v.size() == 1 && v[0].is_string() && v[0].get<std::string>() == "*";
}

}  // namespace

std::unique_ptr<Minter> makeAwsMinter(aws::IamClient& iam, AwsMinterOptions options,
                                      const Clock& clock) {
  return std::make_unique<AwsMinter>(iam, std::move(options), clock);
}

const char* denyAllPolicyJson() { return kDenyAll; }

bool isDenyAllPolicy(const std::string& json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("Statement")) return false;
  auto statements = doc["Statement"];
  if (statements.is_object()) statements = nlohmann::json::array({statements});
  if (!statements.is_array() || statements.empty()) return false;
  bool denies_all = false;
  for (const auto& st : statements) {
    if (!st.is_object()) return false;
    std::string effect = st.value("Effect", "");
    if (effect == "Allow") return false;  // anything allowed is drift, however narrow
    if (effect == "Deny" && st.contains("Action") && st.contains("Resource") &&
        isStar(st["Action"]) && isStar(st["Resource"]) && !st.contains("Condition")) {
      denies_all = true;
    }
  }
  return denies_all;
}

}  // namespace ht::tokens
