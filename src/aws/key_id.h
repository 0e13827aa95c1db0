// AWS key IDs and unique IDs: what their format says (kind, account) and how to make synthetic
// ones that neither AWS-aware attackers nor public secret scanners can tell from real keys.
// Everything here works offline: an attacker who finds a key can do the same decoding without
// ever calling AWS, which is exactly why honeytrail audits it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"
#include "core/random.h"
#include "core/status.h"

namespace ht::aws {

// What a key ID or other IAM unique ID reveals by its format alone.
struct KeyIdInfo {
  std::string key_id;
  bool valid_format = false;
  std::string format_error;  // "" when valid; otherwise every problem found, joined by "; "
  std::string prefix;        // the first four characters, even when the rest is malformed
  std::string kind;  // "access key (long-term, IAM user)", "temporary access key (STS)", ...
  bool is_access_key = false;  // AKIA or ASIA: something that signs API requests with a secret
  std::optional<std::string> account_id;  // 12 digits, zero-padded
  std::string account_note;               // why there is no account_id, when there is none
};

KeyIdInfo inspectKeyId(std::string_view key_id);

// Looser than valid_format: a known prefix and 16 or more of [A-Z0-9]. Anonymised datasets (and
// test fixtures) hold IDs like that; matching must still find them, though AWS issues base32 only.
bool isIdShaped(std::string_view id);

// The account an ID belongs to, decoded from the 16 base32 characters after its prefix.
// nullopt for malformed IDs and for old-format IDs (first character after the prefix I or J),
// which carry no account.
std::optional<std::string> decodeAccountId(std::string_view key_id);

// Exactly 12 ASCII digits.
bool isValidAccountId(std::string_view account_id);

// A new-format AKIA key ID that decodes to account_id12, with random low bits, regenerated until
// checkKeyIdLooksReal passes. Precondition: isValidAccountId(account_id12) (checked; a violation
// stops the process). For the rare account whose fixed characters can never pass the filters
// (see checkSyntheticAccountId) it gives up after many draws and returns a key that fails them.
std::string makeAccessKeyId(const std::string& account_id12, RandomSource& random);

// 40 characters of A-Za-z0-9+/ that pass checkSecretLooksReal.
SecretString makeSecretAccessKey(RandomSource& random);

// 12 digits, no leading zero, whose key IDs can pass the scanner filters.
std::string randomAccountId(RandomSource& random);

// OK when account_id is 12 digits and makeAccessKeyId can produce keys for it that pass
// checkKeyIdLooksReal; InvalidArgument saying why not otherwise. For validating configuration.
Status checkSyntheticAccountId(std::string_view account_id);

// Result of the filters public secret scanners (gitleaks, TruffleHog, detect-secrets) and their
// users apply to throw away placeholder keys. A honey key that fails them gets discarded as fake
// by the attacker's tools too.
struct ScannerCheck {
  bool passes = true;
  std::vector<std::string> reasons;  // why it fails; empty when it passes
  double entropy_bits = 0;           // Shannon entropy per character of the part measured
};

// Checks length, an access-key prefix, base32 alphabet, entropy of the 16-character suffix
// (>= 3.0 bits/char), documentation examples, "EXAMPLE" and obvious runs.
ScannerCheck checkKeyIdLooksReal(std::string_view key_id);
// Checks length 40, base64 alphabet, entropy (>= 4.25 bits/char), a mix of upper case, lower
// case and digits, documentation examples, "EXAMPLE" and obvious runs.
ScannerCheck checkSecretLooksReal(std::string_view secret);

// Shannon entropy in bits per character over the characters of text (0 for empty text).
double shannonEntropy(std::string_view text);

inline constexpr double kMinKeyIdSuffixEntropy = 3.0;
inline constexpr double kMinSecretEntropy = 4.25;

}  // namespace ht::aws
