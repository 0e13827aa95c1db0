// SecretVault encrypts secret access keys at rest with libsodium's secretbox
// (XSalsa20-Poly1305) under a 32-byte master key. The plaintext binds the key ID to its secret,
// so a ciphertext copied onto another token's row fails to open instead of yielding a wrong key.
//
// The master key comes from, in order: the environment variable named by
// secrets.master_key_env (base64), secrets.master_key_file, or DATA_DIR/master.key, which is
// generated with mode 0600 the first time a secret must be sealed.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "config/options.h"
#include "core/secret.h"
#include "core/status.h"
#include "tokens/token_store.h"

namespace ht::tokens {

class SecretVault {
 public:
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

  // Does not touch the key yet: a data dir that never stores a secret never gets a master key.
  SecretVault(config::SecretsOptions options, std::string data_dir, EnvLookup env);

  Result<tokens::SealedSecret> seal(const std::string& key_id, const SecretString& secret);
  Result<SecretString> open(const std::string& key_id, const tokens::SealedSecret& sealed);

  // Where the key comes from, for `honeytrail status` ("env HONEYTRAIL_MASTER_KEY", a path).
  std::string keySourceDescription() const;

 private:
  Status loadKey(bool create_if_missing);

  config::SecretsOptions options_;
  std::string data_dir_;
  EnvLookup env_;
  SecretString key_;  // 32 raw bytes once loaded
};

}  // namespace ht::tokens
