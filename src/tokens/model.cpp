#include "tokens/model.h"

namespace ht::tokens {

const char* tokenStatusName(TokenStatus s) {
  return s == TokenStatus::kActive ? "active" : "revoked";
}

bool parseTokenStatus(const std::string& text, TokenStatus* out) {
  if (text == "active")
    *out = TokenStatus::kActive;
  else if (text == "revoked")
    *out = TokenStatus::kRevoked;
  else
    return false;
  return true;
}

const char* secretStateName(SecretState s) {
  switch (s) {
    case SecretState::kStored:
      return "stored";
    case SecretState::kForgotten:
      return "forgotten";
    case SecretState::kNotKept:
      return "not-kept";
  }
  return "not-kept";
}

bool parseSecretState(const std::string& text, SecretState* out) {
  if (text == "stored")
    *out = SecretState::kStored;
  else if (text == "forgotten")
    *out = SecretState::kForgotten;
  else if (text == "not-kept")
    *out = SecretState::kNotKept;
  else
    return false;
  return true;
}

}  // namespace ht::tokens
