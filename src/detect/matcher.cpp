#include "detect/matcher.h"

#include <algorithm>
#include <utility>

namespace ht::detect {

const char* triggerClassName(TriggerClass c) {
  switch (c) {
    case TriggerClass::kUsed:
      return "used";
    case TriggerClass::kSessionUsed:
      return "session-used";
    case TriggerClass::kTouched:
      return "touched";
    case TriggerClass::kExposed:
      return "exposed";
  }
  return "unknown";
}

std::optional<TriggerClass> parseTriggerClass(std::string_view text) {
  for (TriggerClass c : {TriggerClass::kUsed, TriggerClass::kSessionUsed, TriggerClass::kTouched,
                         TriggerClass::kExposed}) {
    if (text == triggerClassName(c)) return c;
  }
  return std::nullopt;
}

namespace {

std::string accountUserKey(std::string_view account_id, std::string_view user_name) {
  std::string k;
  k.reserve(account_id.size() + 1 + user_name.size());
  k.append(account_id).push_back('/');
  k.append(user_name);
  return k;
}

template <typename Map>
const tokens::Token* find(const Map& m, std::string_view k) {
  if (k.empty()) return nullptr;
  auto it = m.find(k);
  return it == m.end() ? nullptr : it->second;
}

// Two tokens of one IAM user (a user may own two honey keys) count as one caller.
bool sameUser(const tokens::Token* a, const tokens::Token* b) {
  if (a == nullptr || b == nullptr) return false;
  if (a == b) return true;
  if (!a->principal_id.empty() && a->principal_id == b->principal_id) return true;
  return !a->user_arn.empty() && a->user_arn == b->user_arn;
}

bool isIdChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isIdChar(c) || (c >= 'a' && c <= 'z'); }

// Characters an IAM ARN can hold (path and name allow +=,.@_- besides letters and digits).
bool isArnChar(char c) {
  return isAlnum(c) || c == ':' || c == '/' || c == '+' || c == '=' || c == ',' || c == '.' ||
         c == '@' || c == '_' || c == '-' || c == '%';
}

std::string percentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

// Decodes %XX escapes and stops at the first character an ARN cannot hold (the encoded quote
// that ends it inside a policy document).
std::string decodedArn(std::string_view s) {
  std::string out = percentDecode(s);
  size_t k = 0;
  while (k < out.size() && isArnChar(out[k]) && out[k] != '%') ++k;
  out.resize(k);
  return out;
}

// Calls fn(token) for every registered key ID, principal ID or user ARN written in text. The
// scan pulls identifier-shaped words out of the text and looks each one up, so its cost grows
// with the text, never with the number of tokens. Policy documents in requestParameters are
// URL-encoded, so a %XX escape counts as a word boundary and arn%3A... is decoded.
template <typename Fn>
void forEachMention(std::string_view text, const TokenIndex& index, Fn&& fn) {
  const size_t n = text.size();
  size_t i = 0;
  bool boundary = true;  // whether text[i] may start a word
  while (i < n) {
    const char c = text[i];
    if (c == '%' && i + 2 < n && isHex(text[i + 1]) && isHex(text[i + 2])) {
      i += 3;
      boundary = true;
      continue;
    }
    if (boundary && isIdChar(c)) {
      size_t j = i;
      while (j < n && isIdChar(text[j])) ++j;
      const size_t len = j - i;
      // Key IDs are 20 characters and principal IDs 21; allow room for future formats.
      if (len >= 16 && len <= 32 && (j == n || !isAlnum(text[j]))) {
        const std::string_view word = text.substr(i, len);
        if (const auto* t = index.byKeyId(word)) fn(t);
        if (const auto* t = index.byPrincipalId(word)) fn(t);
      }
      i = j;
      boundary = false;
      continue;
    }
    if (boundary && c == 'a' && text.compare(i, 4, "arn:") == 0) {
      size_t j = i;
      while (j < n && isArnChar(text[j]) && text[j] != '%') ++j;
      if (const auto* t = index.byUserArn(text.substr(i, j - i))) fn(t);
      i = j;
      boundary = false;
      continue;
    }
    if (boundary && c == 'a' && text.compare(i, 6, "arn%3A") == 0) {
      size_t j = i;
      while (j < n && isArnChar(text[j])) ++j;
      if (const auto* t = index.byUserArn(decodedArn(text.substr(i, j - i)))) fn(t);
      i = j;
      boundary = false;
      continue;
    }
    boundary = !isAlnum(c);
    ++i;
  }
}

class MatchList {
 public:
  void add(TriggerClass c, const tokens::Token* t, std::string on) {
    for (const auto& m : out_) {
      if (m.token == t && m.trigger_class == c) return;
    }
    out_.push_back(Match{c, t, std::move(on)});
  }
  bool has(const tokens::Token* t) const {
    return std::any_of(out_.begin(), out_.end(), [&](const Match& m) {
      return m.trigger_class != TriggerClass::kTouched && sameUser(m.token, t);
    });
  }
  std::vector<Match> take() { return std::move(out_); }

 private:
  std::vector<Match> out_;
};

}  // namespace

void TokenIndex::add(tokens::Token token) {
  auto owned = std::make_unique<tokens::Token>(std::move(token));
  const tokens::Token* t = owned.get();
  tokens_.push_back(std::move(owned));
  // The registry keeps key IDs unique; for the other fields the first token registered keeps
  // its entry, so adding a token never silently re-routes an existing one.
  if (!t->key_id.empty()) by_key_.emplace(t->key_id, t);
  if (!t->principal_id.empty()) by_principal_.emplace(t->principal_id, t);
  if (!t->user_arn.empty()) by_arn_.emplace(t->user_arn, t);
  if (!t->user_name.empty()) {
    by_name_.emplace(t->user_name, t);
    by_account_name_.emplace(accountUserKey(t->account_id, t->user_name), t);
  }
}

void TokenIndex::reserve(size_t n) {
  tokens_.reserve(n);
  by_key_.reserve(n);
  by_principal_.reserve(n);
  by_arn_.reserve(n);
  by_name_.reserve(n);
  by_account_name_.reserve(n);
}

const tokens::Token* TokenIndex::byKeyId(std::string_view key_id) const {
  return find(by_key_, key_id);
}
const tokens::Token* TokenIndex::byPrincipalId(std::string_view principal_id) const {
  return find(by_principal_, principal_id);
}
const tokens::Token* TokenIndex::byUserArn(std::string_view arn) const {
  return find(by_arn_, arn);
}
const tokens::Token* TokenIndex::byUserName(std::string_view user_name) const {
  return find(by_name_, user_name);
}
const tokens::Token* TokenIndex::byAccountUser(std::string_view account_id,
                                               std::string_view user_name) const {
  if (user_name.empty()) return nullptr;
  return find(by_account_name_, accountUserKey(account_id, user_name));
}

std::vector<std::string> TokenIndex::needles() const {
  std::vector<std::string> out;
  out.reserve(tokens_.size() * 3);
  for (const auto& t : tokens_) {
    if (!t->key_id.empty()) out.push_back(t->key_id);
    if (!t->principal_id.empty()) out.push_back(t->principal_id);
    if (!t->user_name.empty()) out.push_back(t->user_name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<Match> matchEvent(const CloudTrailEvent& event, const TokenIndex& index) {
  MatchList matches;
  const UserIdentity& id = event.identity;
  // The account the call happened in: where a user name means something.
  const std::string& account =
      event.recipient_account_id.empty() ? id.account_id : event.recipient_account_id;

  // 1. The caller signed with the honey key itself. This includes sts:GetSessionToken and
  // GetFederationToken: the call that mints temporary credentials is made with the long-term
  // key, so it is a plain use.
  const tokens::Token* key_token = index.byKeyId(id.access_key_id);
  if (key_token != nullptr) matches.add(TriggerClass::kUsed, key_token, "accessKeyId");

  // 2. The caller is the honey user with other credentials: ASIA session keys from
  // GetSessionToken, console sessions (no key), or a federated user whose session issuer is the
  // honey user. AssumedRole principals ("AROA...:name") can never equal an AIDA ID.
  const tokens::Token* user_token = nullptr;
  std::string on;
  if ((user_token = index.byPrincipalId(id.principal_id)) != nullptr) {
    on = "principalId";
  } else if ((user_token = index.byUserArn(id.arn)) != nullptr) {
    on = "arn";
  } else if (id.type == "IAMUser" &&
             (user_token = index.byAccountUser(id.account_id, id.user_name)) != nullptr) {
    on = "userName";
  } else if ((user_token = index.byPrincipalId(id.session_issuer_principal_id)) != nullptr) {
    on = "sessionIssuer.principalId";
  } else if ((user_token = index.byUserArn(id.session_issuer_arn)) != nullptr) {
    on = "sessionIssuer.arn";
  }
  if (user_token != nullptr && !sameUser(user_token, key_token)) {
    // An AKIA key of the honey user that is not the registered one lands here too: someone
    // gave the honey user a second key, which is as alarming as a session.
    matches.add(TriggerClass::kSessionUsed, user_token, on);
  }

  // 3. AWS (or anyone) quarantined the honey user: AWS does this when it finds the key in
  // public, e.g. on GitHub. V2, V3, ... of the policy all share the prefix.
  if (event.event_name == "AttachUserPolicy" &&
      event.request_policy_arn.find("AWSCompromisedKeyQuarantine") != std::string::npos) {
    const tokens::Token* t = index.byAccountUser(account, event.request_user_name);
    if (t == nullptr) t = index.byAccountUser(id.account_id, event.request_user_name);
    if (t == nullptr) {
      // Tokens whose key format carries no account are registered under an empty account.
      t = index.byAccountUser("", event.request_user_name);
    }
    if (t != nullptr) matches.add(TriggerClass::kExposed, t, "requestParameters.policyArn");
  }

  // 4. Mentions by someone else: an admin listing the honey user's keys, a policy naming it.
  auto touched = [&](const char* where) {
    return [&matches, where](const tokens::Token* t) {
      if (!matches.has(t)) matches.add(TriggerClass::kTouched, t, where);
    };
  };
  if (!event.request_user_name.empty()) {
    if (const auto* t = index.byAccountUser(account, event.request_user_name)) {
      if (!matches.has(t)) matches.add(TriggerClass::kTouched, t, "requestParameters.userName");
    }
  }
  forEachMention(event.request_parameters, index, touched("requestParameters"));
  forEachMention(event.response_elements, index, touched("responseElements"));
  return matches.take();
}

}  // namespace ht::detect
