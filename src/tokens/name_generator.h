// Plausible IAM user names and paths for honey users. What `aws sts get-caller-identity` shows
// an attacker is the user's ARN, so the name must look like one of the organisation's own
// service accounts or people and must never give the trap away (a tell word, a UUID, random text).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/key_id.h"
#include "config/options.h"
#include "core/status.h"

namespace ht::tokens {

struct GeneratedName {
  std::string user_name;
  std::string path;  // "/" or "/segment/.../"
};

class NameGenerator {
 public:
  // Copies the options; random must outlive the generator.
  NameGenerator(const config::NamingOptions& options, RandomSource& random);

  // A fresh name and path. InvalidArgument when the options are unusable (a tell word in a word
  // list or pattern, an unknown placeholder, characters IAM rejects), naming the culprit;
  // FailedPrecondition when 100 draws produced no clean name.
  Result<GeneratedName> next();

  // The checks next() applies to the options, for `honeytrail config validate`.
  static Status validate(const config::NamingOptions& options);

  // The built-in word lists and paths (service and person paths together), as options; for
  // showing defaults and for testing that they are clean.
  static config::NamingOptions builtInWordLists();

 private:
  std::string fill(std::string_view pattern);
  const std::vector<std::string>& list(const std::vector<std::string>& configured,
                                       const std::vector<std::string>& built_in) const;
  const std::string& pick(const std::vector<std::string>& words);

  config::NamingOptions options_;
  RandomSource& random_;
  Status options_status_;
};

// Case-insensitive substring search for words that betray a honey token (honey, canary, decoy,
// ...). Substrings on purpose: the tools that hunt for tells grep, so "bootstrap" counts for
// "trap". On a hit, *which (if given) receives the tell word.
bool containsTell(std::string_view text, std::string* which = nullptr);

// A UUID, a run of 12+ hex digits, or an 8+ character run of letters and digits that looks
// machine-made (no vowels, or letters and digits interleaved): nobody names a user like that.
bool looksRandom(std::string_view text);

// Names that look like nobody's real account: user1, test, admin2, tmp-user. Not a giveaway
// on their own, but a real organisation would not keep keys for them.
bool looksGeneric(std::string_view name);

// IAM rules: 1-64 characters of A-Za-z0-9+=,.@_-.
bool isValidIamUserName(std::string_view name);
// IAM rules: starts and ends with '/', at most 512 characters, each 0x21-0x7E.
bool isValidIamPath(std::string_view path);

}  // namespace ht::tokens
