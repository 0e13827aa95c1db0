// Liveness: does each honey token still exist in the honey account as honeytrail made it? A key
// that was deleted or deactivated can no longer trigger; a changed policy may let it act; a
// quarantine policy attached by AWS means the key was found in public.
#pragma once

#include <string>
#include <vector>

#include "aws/iam_client.h"
#include "core/status.h"
#include "tokens/model.h"

namespace ht::tokens {

struct VerifyResult {
  std::string token_id;
  std::string key_id;
  std::string user_name;
  bool ok = false;
  // Stable codes: user-deleted, key-deleted, key-inactive, policy-missing, policy-changed,
  // extra-inline-policy, quarantined, policy-attached, check-failed.
  std::vector<std::string> drift;
  std::vector<std::string> details;  // one sentence per drift entry, same order
};

VerifyResult verifyToken(aws::IamClient& iam, const Token& token,
                         const std::string& deny_policy_name);

}  // namespace ht::tokens
