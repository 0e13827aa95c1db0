#include "tokens/verify.h"

#include "core/strings.h"
#include "tokens/minter.h"

namespace ht::tokens {
namespace {

void addDrift(VerifyResult* r, const std::string& code, const std::string& detail) {
  r->drift.push_back(code);
  r->details.push_back(detail);
}

}  // namespace

VerifyResult verifyToken(aws::IamClient& iam, const Token& token,
                         const std::string& deny_policy_name) {
  VerifyResult r;
  r.token_id = token.id;
  r.key_id = token.key_id;
  r.user_name = token.user_name;
  if (token.user_name.empty()) {
    addDrift(&r, "check-failed", "no IAM user name is recorded for this token");
    return r;
  }
  auto keys = iam.listAccessKeys(token.user_name);
  if (!keys.hasValue()) {
    if (keys.status().code() == StatusCode::kNotFound) {
      addDrift(&r, "user-deleted", "IAM user " + token.user_name + " no longer exists");
    } else {
      addDrift(&r, "check-failed", keys.status().message());
    }
    return r;
  }
  const aws::AccessKey* found = nullptr;
  for (const auto& k : *keys) {
    if (k.access_key_id == token.key_id) found = &k;
  }
  if (found == nullptr) {
    addDrift(&r, "key-deleted", "access key " + token.key_id + " no longer exists");
  } else if (found->status != "Active") {
    addDrift(&r, "key-inactive",
             "access key is " + found->status + ": using it fails before AWS logs it as this user");
  }

  auto policies = iam.listUserPolicies(token.user_name);
  if (!policies.hasValue()) {
    addDrift(&r, "check-failed", policies.status().message());
  } else {
    bool have_deny = false;
    for (const auto& name : *policies) {
      if (name == deny_policy_name) {
        have_deny = true;
        auto doc = iam.getUserPolicy(token.user_name, name);
        if (!doc.hasValue()) {
          addDrift(&r, "check-failed", doc.status().message());
        } else if (!isDenyAllPolicy(*doc)) {
          addDrift(&r, "policy-changed", "inline policy " + name + " no longer denies everything");
        }
      } else {
        addDrift(&r, "extra-inline-policy", "inline policy " + name + " was added");
      }
    }
    if (!have_deny)
      addDrift(&r, "policy-missing", "the deny-all inline policy " + deny_policy_name + " is gone");
  }

  auto attached = iam.listAttachedUserPolicies(token.user_name);
  if (!attached.hasValue()) {
    addDrift(&r, "check-failed", attached.status().message());
  } else {
    for (const auto& arn : *attached) {
      // Only AWS's own managed policy counts (arn:aws:iam::aws:policy/...), not a look-alike
      // that someone made in the account.
      bool aws_managed =
          startsWith(arn, "arn:aws") && arn.find(":iam::aws:policy/") != std::string::npos;
      if (aws_managed && arn.find("/AWSCompromisedKeyQuarantine") != std::string::npos) {
        addDrift(&r, "quarantined",
                 "AWS attached " + arn + ": the key was found in public (an exposure, not a test)");
      } else {
        addDrift(&r, "policy-attached", "managed policy " + arn + " is attached");
      }
    }
  }
  r.ok = r.drift.empty();
  return r;
}

}  // namespace ht::tokens
