#include "tokens/audit.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

#include "aws/key_id.h"
#include "core/files.h"
#include "core/strings.h"
#include "tokens/name_generator.h"

namespace ht::tokens {

namespace {

constexpr const char* kThinkstList = "Thinkst canarytokens.org";
constexpr const char* kKnockoffList = "knock-off canary (flagged by TruffleHog)";

// Public facts: the AWS accounts behind canarytokens.org AWS-key tokens, and look-alike canary
// services, as listed by TruffleHog's AWS detector (pkg/detectors/aws/access_keys/canary.go,
// commit 3ab759fe); mirrored in ../shared/testdata/canary/canary_accounts.json.
constexpr std::array<std::string_view, 10> kThinkstAccounts = {
    "052310077262", "171436882533", "534261010715", "595918472158", "717712589309",
    "819147034852", "992382622183", "730335385048", "266735846894", "893192397702"};
constexpr std::array<std::string_view, 16> kKnockoffAccounts = {
    "044858866125", "251535659677", "344043088457", "351906852752", "390477818340", "426127672474",
    "427150556519", "439872796651", "445142720921", "465867158099", "637958123769", "693412236332",
    "732624840810", "735421457923", "959235150393", "982842642351"};

bool isAccountArray(const nlohmann::json& j) {
  if (!j.is_array() || j.empty()) return false;
  for (const auto& e : j) {
    if (!e.is_string() || !aws::isValidAccountId(e.get_ref<const std::string&>())) return false;
  }
  return true;
}

void collectAccountArrays(const nlohmann::json& j, const std::string& name,
                          std::vector<std::pair<std::string, std::vector<std::string>>>* out) {
  if (isAccountArray(j)) {
    std::vector<std::string> ids;
    for (const auto& e : j) ids.push_back(e.get<std::string>());
    out->emplace_back(name, std::move(ids));
  } else if (j.is_array()) {
    for (const auto& e : j) collectAccountArrays(e, name, out);
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) collectAccountArrays(value, key, out);
  }
}

// "arn:aws:iam::123456789012:user/path/name" -> "123456789012"; "" when not an ARN.
std::string arnAccount(const std::string& arn) {
  auto parts = split(arn, ':');
  if (parts.size() < 6 || parts[0] != "arn") return "";
  return parts[4];
}

// What get-caller-identity would print as the ARN, from what the registry knows.
std::string effectiveArn(const Token& t, const std::optional<std::string>& account) {
  if (!t.user_arn.empty()) return t.user_arn;
  if (t.user_name.empty() || !account) return "";
  std::string path = t.user_path.empty() ? "/" : t.user_path;
  return "arn:aws:iam::" + *account + ":user" + path + t.user_name;
}

bool isSynthetic(const Token& t) { return t.backend == "synthetic" || !t.can_trigger; }

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

class TokenAuditor {
 public:
  TokenAuditor(const AuditInput& input, const config::AuditOptions& options,
               const CanaryAccounts& canaries, TimePoint now,
               const std::map<std::string, std::vector<std::string>>& by_account,
               std::vector<Finding>* out)
      : in_(input),
        t_(input.token),
        options_(options),
        canaries_(canaries),
        now_(now),
        by_account_(by_account),
        out_(out),
        account_(aws::decodeAccountId(t_.key_id)) {}

  void run() {
    exposes();
    if (t_.status == TokenStatus::kRevoked) return;
    canaryAccount();
    realAccount();
    arnMismatch();
    nameChecks();
    sharedAccount();
    keyAge();
    secretStored();
    notPlaced();
    synthetic();
    keyLooksFake();
  }

 private:
  void add(const char* code, Severity severity, std::string message, std::string fix) {
    out_->push_back(Finding{t_.id, t_.key_id, code, severity, std::move(message), std::move(fix)});
  }

  void exposes() {
    aws::KeyIdInfo info = aws::inspectKeyId(t_.key_id);
    std::string msg = "Offline, from the key ID alone, an attacker learns: ";
    if (account_) {
      msg += "account " + *account_;
    } else if (!info.valid_format) {
      msg += "nothing reliable (malformed key ID: " + info.format_error + ")";
    } else {
      msg += "no account ID (" + info.account_note + ")";
    }
    msg += ". ";
    if (isSynthetic(t_)) {
      msg +=
          "`aws sts get-caller-identity` fails with InvalidClientTokenId: AWS never issued "
          "this key.";
    } else {
      std::string arn = effectiveArn(t_, account_);
      if (!arn.empty()) {
        msg += "`aws sts get-caller-identity` shows ARN " + arn + " (user '" + t_.user_name +
               "', path '" + (t_.user_path.empty() ? "/" : t_.user_path) + "')";
        if (!t_.principal_id.empty()) msg += " and user ID " + t_.principal_id;
        msg += ".";
      } else {
        msg +=
            "`aws sts get-caller-identity` shows the owning user's ARN, which is not "
            "recorded here.";
      }
    }
    add(kFindingExposes, Severity::kInfo, msg,
        "Check that none of this points at a trap: the account should be a dedicated, empty "
        "honey account and the user name and path should follow your organisation's naming.");
  }

  void canaryAccount() {
    if (!account_) return;
    const std::string* list = canaries_.find(*account_);
    if (list == nullptr) return;
    add(kFindingCanaryAccount, Severity::kCritical,
        "The key ID decodes to account " + *account_ + ", which is on the public list '" + *list +
            "'. TruffleHog and other scanners report such keys as canary tokens without calling "
            "AWS, so an attacker will leave this key alone.",
        "Mint honey users in your own dedicated AWS account instead, place the new token where "
        "this one is, and revoke this one.");
  }

  void realAccount() {
    if (!account_) return;
    const auto& real = options_.real_account_ids;
    if (std::find(real.begin(), real.end(), *account_) == real.end()) return;
    add(kFindingRealAccount, Severity::kHigh,
        "The key ID decodes to account " + *account_ +
            ", one of the organisation's real accounts (audit.real_account_ids). The honey user "
            "lives next to production, and the key links itself to it.",
        "Create honey users only in a dedicated, empty AWS account with no other resources; "
        "re-mint this token there and revoke this one.");
  }

  void arnMismatch() {
    if (!account_ || t_.user_arn.empty()) return;
    std::string arn_account = arnAccount(t_.user_arn);
    if (arn_account.empty() || arn_account == *account_) return;
    add(kFindingArnAccountMismatch, Severity::kMedium,
        "The user ARN names account " + arn_account + " but the key ID decodes to account " +
            *account_ +
            ". A real key always belongs to its user's account, so the record is wrong, and "
            "detection matching on it will not recognise events for this key.",
        "Check the key ID and user ARN against IAM (aws iam list-access-keys) and re-import the "
        "token with the correct values.");
  }

  void nameChecks() {
    std::string tell;
    std::string where;
    if (containsTell(t_.user_name, &tell)) {
      where = "user name '" + t_.user_name + "'";
    } else if (containsTell(t_.user_path, &tell)) {
      where = "path '" + t_.user_path + "'";
    }
    if (!where.empty()) {
      add(kFindingNameTell, Severity::kHigh,
          "The " + where + " contains '" + tell +
              "'; get-caller-identity shows it to anyone holding the key, and it says trap.",
          "Replace the token with one whose IAM user is named like your real service accounts "
          "or people (honeytrail generates such names), then revoke this one.");
    }
    if (looksRandom(t_.user_name) || looksRandom(t_.user_path)) {
      add(kFindingNameRandom, Severity::kMedium,
          "The user name '" + t_.user_name + "' or path '" + t_.user_path +
              "' looks random or holds a UUID; people do not name users like that, and "
              "canary services do.",
          "Replace the token with one whose IAM user has a plausible name, then revoke this one.");
    }
    if (!t_.user_name.empty() && looksGeneric(t_.user_name)) {
      add(kFindingNameGeneric, Severity::kLow,
          "The user name '" + t_.user_name +
              "' is generic (like user1, test, admin2); it looks like a throwaway account, not "
              "one whose key someone would need on this host.",
          "Prefer a name that fits where the key is placed (svc-billing-export, maria.lopez).");
    }
  }

  void sharedAccount() {
    if (!account_ || options_.shared_account_threshold <= 0) return;
    auto it = by_account_.find(*account_);
    if (it == by_account_.end()) return;
    const size_t n = it->second.size();
    if (n < static_cast<size_t>(options_.shared_account_threshold)) return;
    add(kFindingSharedAccount, Severity::kMedium,
        std::to_string(n) + " active tokens decode to account " + *account_ +
            " (threshold audit.shared_account_threshold = " +
            std::to_string(options_.shared_account_threshold) +
            "). An attacker who collects keys from several hosts sees they all share one account.",
        "Spread tokens over several dedicated honey accounts so that keys found on different "
        "hosts do not point to the same one.");
  }

  void keyAge() {
    if (options_.max_key_age_days <= 0) return;
    TimePoint made = t_.key_created_at != TimePoint{} ? t_.key_created_at : t_.created_at;
    if (made == TimePoint{} || made > now_) return;
    const auto days = std::chrono::duration_cast<std::chrono::hours>(now_ - made).count() / 24;
    if (days <= options_.max_key_age_days) return;
    add(kFindingKeyAge, Severity::kLow,
        "The key is " + std::to_string(days) + " days old (created " + formatTime(made) +
            ", limit audit.max_key_age_days = " + std::to_string(options_.max_key_age_days) +
            "). Real keys rotate; a never-rotated key stands out to an attacker and in "
            "access-key-age audits.",
        "Mint a replacement token, place it where this one is, and revoke this one.");
  }

  void secretStored() {
    if (t_.secret_state != SecretState::kStored || in_.placements.empty()) return;
    add(kFindingSecretStored, Severity::kMedium,
        "The secret access key is still stored in the registry although the token is placed. "
        "Whoever gets the registry and its master key gets working keys and the list of which "
        "keys are traps.",
        "honeytrail token forget-secret " + t_.id);
  }

  void notPlaced() {
    if (!in_.placements.empty()) return;
    add(kFindingNotPlaced, Severity::kLow,
        "The token is active but has no recorded placement: either it is not deployed, or where "
        "it lives is not recorded, so an alert would not say which host was breached.",
        "Record where it is placed (honeytrail placement add) or revoke it if it was never "
        "deployed.");
  }

  void synthetic() {
    if (!isSynthetic(t_)) return;
    add(kFindingSynthetic, Severity::kInfo,
        "The key comes from the synthetic back-end: format-valid, but AWS never issued it, so "
        "using it never reaches CloudTrail and it can never trigger.",
        "Use synthetic tokens for demos and tests only; mint real honey tokens with the aws "
        "back-end.");
  }

  void keyLooksFake() {
    aws::ScannerCheck check = aws::checkKeyIdLooksReal(t_.key_id);
    if (check.passes) return;
    add(kFindingKeyLooksFake, Severity::kMedium,
        "The key ID fails the filters secret scanners use to discard fake keys (" +
            joined(check.reasons) + "); scanners will drop it, and so may an attacker.",
        "Replace it with a key minted by AWS or by honeytrail's generator, then revoke this "
        "one.");
  }

  const AuditInput& in_;
  const Token& t_;
  const config::AuditOptions& options_;
  const CanaryAccounts& canaries_;
  TimePoint now_;
  const std::map<std::string, std::vector<std::string>>& by_account_;
  std::vector<Finding>* out_;
  std::optional<std::string> account_;
};

}  // namespace

CanaryAccounts CanaryAccounts::builtIn() {
  CanaryAccounts c;
  for (auto a : kThinkstAccounts) c.accounts.emplace(std::string(a), kThinkstList);
  for (auto a : kKnockoffAccounts) c.accounts.emplace(std::string(a), kKnockoffList);
  return c;
}

Status CanaryAccounts::loadFile(const std::string& path) {
  const std::string what = "canary account file '" + path + "'";
  Result<std::string> text = readFile(path);
  if (!text) return text.status().withContext(what);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    return Status::invalidArgument(what + " is not valid JSON: " + e.what());
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> lists;
  collectAccountArrays(doc, path, &lists);
  if (lists.empty()) {
    return Status::invalidArgument(what + " holds no array of 12-digit account ID strings");
  }
  for (const auto& [name, ids] : lists) {
    for (const auto& id : ids) accounts.emplace(id, name);
  }
  return Status::ok();
}

const std::string* CanaryAccounts::find(const std::string& account) const {
  auto it = accounts.find(account);
  return it == accounts.end() ? nullptr : &it->second;
}

std::vector<Finding> auditTokens(const std::vector<AuditInput>& inputs,
                                 const config::AuditOptions& options,
                                 const CanaryAccounts& canaries, TimePoint now) {
  std::map<std::string, std::vector<std::string>> by_account;
  for (const auto& in : inputs) {
    if (in.token.status != TokenStatus::kActive) continue;
    if (auto account = aws::decodeAccountId(in.token.key_id)) {
      by_account[*account].push_back(in.token.id);
    }
  }
  std::vector<Finding> findings;
  for (const auto& in : inputs) {
    TokenAuditor(in, options, canaries, now, by_account, &findings).run();
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    return a.token_id < b.token_id;
  });
  return findings;
}

std::map<Severity, int> countBySeverity(const std::vector<Finding>& findings) {
  std::map<Severity, int> counts;
  for (const auto& f : findings) counts[f.severity]++;
  return counts;
}

}  // namespace ht::tokens
