// Which honey token, if any, a CloudTrail event involves, and how. Lookups are hash-table hits,
// O(1) in the number of registered tokens, so the same code serves ten tokens or a million.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detect/event.h"
#include "detect/trigger_class.h"
#include "tokens/model.h"

namespace ht::detect {

struct Match {
  TriggerClass trigger_class;
  const tokens::Token* token;  // owned by the TokenIndex
  std::string matched_on;      // "accessKeyId", "principalId", "arn", "requestParameters", ...
};

class TokenIndex {
 public:
  void add(tokens::Token token);
  // Sizes the tables for n tokens up front; loading a million tokens then rehashes nothing.
  void reserve(size_t n);
  size_t size() const { return tokens_.size(); }
  const tokens::Token* byKeyId(std::string_view key_id) const;
  const tokens::Token* byPrincipalId(std::string_view principal_id) const;  // AIDA..., exact
  const tokens::Token* byUserArn(std::string_view arn) const;
  const tokens::Token* byUserName(std::string_view user_name) const;  // within the honey account(s)
  // The same name may exist in several honey accounts; this is the exact lookup matching uses.
  const tokens::Token* byAccountUser(std::string_view account_id, std::string_view user_name) const;
  // Every string whose presence in raw record text may mean a match (key IDs, principal IDs,
  // user names): the pre-filter looks for these before any JSON is parsed.
  std::vector<std::string> needles() const;

 private:
  std::vector<std::unique_ptr<tokens::Token>> tokens_;
  // Heterogeneous lookup: a string_view finds its entry without building a std::string (IDs
  // are longer than the small-string buffer, so that would allocate once per lookup).
  struct ViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, const tokens::Token*, ViewHash, std::equal_to<>>;
  Map by_key_, by_principal_, by_arn_, by_name_;
  Map by_account_name_;  // "account/name"
};

// All matches of one event (usually none, at most one per class and token).
std::vector<Match> matchEvent(const CloudTrailEvent& event, const TokenIndex& index);

}  // namespace ht::detect
