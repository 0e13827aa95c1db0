#include "tokens/minter.h"

#include <regex>

#include "aws/key_id.h"
#include "core/log.h"
#include "core/strings.h"
#include "tokens/name_generator.h"

namespace ht::tokens {
namespace {

constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string randomBase32(RandomSource& random, size_t n) {
  std::string out(n, 'A');
  std::vector<uint8_t> bytes(n);
  random.fill(bytes.data(), bytes.size());
  for (size_t i = 0; i < n; ++i) out[i] = kBase32[bytes[i] & 31];
  return out;
}

std::string userArn(const std::string& account, const std::string& path, const std::string& name) {
  return "arn:aws:iam::" + account + ":user" + (path.empty() ? std::string("/") : path) + name;
}

class SyntheticMinter final : public Minter {
 public:
  SyntheticMinter(std::string account, RandomSource& random, const Clock& clock)
      : account_(std::move(account)), random_(random), clock_(clock) {}
  const char* name() const override { return "synthetic"; }

  Result<MintedKey> mint(const MintRequest& req) override {
    MintedKey k;
    k.user_name = req.user_name;
    k.user_path = req.user_path;
    if (k.user_name.empty()) {
      if (!req.next_name) return Status::invalidArgument("no user name given and no name source");
      HT_ASSIGN_OR_RETURN(GeneratedName drawn, req.next_name());
      k.user_name = drawn.user_name;
      if (k.user_path.empty()) k.user_path = drawn.path;
    }
    if (k.user_path.empty()) k.user_path = "/";
    k.key_id = aws::makeAccessKeyId(account_, random_);
    k.secret = aws::makeSecretAccessKey(random_);
    k.account_id = account_;
    k.user_arn = userArn(account_, k.user_path, k.user_name);
    // The shape of an IAM user's unique ID, so that the record looks like a real one.
    k.principal_id = "AIDA" + randomBase32(random_, 17);
    k.can_trigger = false;
    k.key_created_at = clock_.now();
    return k;
  }

  Status retire(const Token&) override { return Status::ok(); }  // nothing exists outside

 private:
  std::string account_;
  RandomSource& random_;
  const Clock& clock_;
};

class ImportMinter final : public Minter {
 public:
  explicit ImportMinter(const Clock& clock) : clock_(clock) {}
  const char* name() const override { return "import"; }

  Result<MintedKey> mint(const MintRequest& req) override {
    aws::KeyIdInfo info = aws::inspectKeyId(req.key_id);
    if (!info.valid_format) {
      if (!aws::isIdShaped(req.key_id)) {
        return Status::invalidArgument("key ID '" + req.key_id + "': " + info.format_error);
      }
      // Anonymised data and fixtures hold such IDs; they are registered so that they can be
      // matched, and the audit's key-looks-fake finding says AWS would never have issued them.
      log::warn("key ID is not base32; AWS never issues such keys",
                {{"key_id", req.key_id}, {"detail", info.format_error}});
    }
    if (info.prefix != "AKIA") {
      return Status::invalidArgument("key ID '" + req.key_id + "' is a " + info.kind +
                                     "; only long-term access keys (AKIA...) can be honey tokens");
    }
    MintedKey k;
    k.key_id = req.key_id;
    k.account_id = info.account_id.value_or("");
    k.user_name = req.user_name;
    k.user_path = req.user_path.empty() ? "/" : req.user_path;
    k.user_arn = req.user_arn;
    k.principal_id = req.principal_id;
    if (!k.user_arn.empty()) {
      static const std::regex kArn(
          R"(^arn:aws[a-z-]*:iam::(\d{12}):user(/[\x21-\x7e]*/|/)([\w+=,.@-]{1,64})$)");
      std::smatch m;
      if (!std::regex_match(k.user_arn, m, kArn)) {
        return Status::invalidArgument(
            "user ARN '" + k.user_arn +
            "' is not an IAM user ARN (arn:aws:iam::123456789012:user/NAME)");
      }
      if (k.user_name.empty()) k.user_name = m[3].str();
      if (req.user_path.empty()) k.user_path = m[2].str();
      if (k.user_name != m[3].str()) {
        return Status::invalidArgument("user name '" + k.user_name +
                                       "' does not match the ARN's '" + m[3].str() + "'");
      }
    }
    if (!k.principal_id.empty()) {
      // IAM user IDs are AIDA plus 17 characters today; accept 16 or more as AWS may lengthen them.
      static const std::regex kUserId(R"(^AIDA[A-Z0-9]{16,124}$)");
      if (!std::regex_match(k.principal_id, kUserId)) {
        return Status::invalidArgument(
            "principal ID '" + k.principal_id +
            "' is not an IAM user ID (AIDA followed by 16 or more upper-case letters and digits)");
      }
    }
    k.can_trigger = true;
    k.key_created_at = clock_.now();
    return k;
  }

  Status retire(const Token&) override { return Status::ok(); }

 private:
  const Clock& clock_;
};

}  // namespace

std::unique_ptr<Minter> makeSyntheticMinter(std::string account_id, RandomSource& random,
                                            const Clock& clock) {
  return std::make_unique<SyntheticMinter>(std::move(account_id), random, clock);
}
std::unique_ptr<Minter> makeImportMinter(const Clock& clock) {
  return std::make_unique<ImportMinter>(clock);
}

std::vector<std::string> minterNames() { return {"synthetic", "import", "aws"}; }

}  // namespace ht::tokens
