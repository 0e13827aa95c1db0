#include "tokens/secret_vault.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cstring>

#include "core/files.h"
#include "core/strings.h"

namespace ht::tokens {
namespace {

constexpr size_t kKeyBytes = crypto_secretbox_KEYBYTES;

// Accepts a key as exactly 32 raw bytes or as base64 text of 32 bytes (with or without newline).
Result<SecretString> decodeKeyMaterial(std::string_view raw, const std::string& where) {
  if (raw.size() == kKeyBytes) return SecretString(std::string(raw));
  std::string text = trim(raw);
  std::string bin(kKeyBytes + 8, '\0');
  size_t bin_len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bin.data()), bin.size(), text.data(),
                        text.size(), nullptr, &bin_len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      bin_len != kKeyBytes) {
    secureZero(bin.data(), bin.size());
    return Status::invalidArgument("master key from " + where +
                                   " must be 32 bytes, raw or base64-encoded");
  }
  bin.resize(kKeyBytes);
  SecretString key(std::move(bin));
  return key;
}

std::string toBase64(std::string_view bin) {
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bin.data()),
                    bin.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace

SecretVault::SecretVault(config::SecretsOptions options, std::string data_dir, EnvLookup env)
    : options_(std::move(options)), data_dir_(std::move(data_dir)), env_(std::move(env)) {
  HT_CHECK(sodium_init() >= 0);
}

std::string SecretVault::keySourceDescription() const {
  if (!options_.master_key_env.empty() && env_ && env_(options_.master_key_env)) {
    return "environment variable " + options_.master_key_env;
  }
  if (!options_.master_key_file.empty()) return options_.master_key_file;
  return data_dir_ + "/master.key";
}

Status SecretVault::loadKey(bool create_if_missing) {
  if (!key_.empty()) return Status::ok();
  if (!options_.master_key_env.empty() && env_) {
    if (auto v = env_(options_.master_key_env); v && !v->empty()) {
      SecretString value(std::move(*v));
      HT_ASSIGN_OR_RETURN(key_, decodeKeyMaterial(value.reveal(), "$" + options_.master_key_env));
      return Status::ok();
    }
  }
  const bool explicit_file = !options_.master_key_file.empty();
  const std::string path = explicit_file ? options_.master_key_file : data_dir_ + "/master.key";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0) {
      return Status::permissionDenied("master key file " + path +
                                      " is readable by group or others; run: chmod 600 " + path);
    }
    HT_ASSIGN_OR_RETURN(std::string raw, readFile(path));
    SecretString raw_secret(std::move(raw));
    HT_ASSIGN_OR_RETURN(key_, decodeKeyMaterial(raw_secret.reveal(), path));
    return Status::ok();
  }
  if (explicit_file) {
    return Status::notFound("master key file " + path +
                            " (secrets.master_key_file) does not exist");
  }
  if (!create_if_missing) {
    return Status::notFound("no master key at " + path +
                            ": the stored secrets cannot be decrypted without it");
  }
  std::string fresh(kKeyBytes, '\0');
  randombytes_buf(fresh.data(), fresh.size());
  SecretString fresh_key(std::move(fresh));
  std::string encoded = toBase64(fresh_key.reveal()) + "\n";
  Status written = writeFileExclusive(path, encoded, 0600);
  secureZero(encoded.data(), encoded.size());
  if (written.code() == StatusCode::kAlreadyExists) {
    return loadKey(false);  // another process made it first: use theirs
  }
  HT_RETURN_IF_ERROR(written);
  key_ = std::move(fresh_key);
  return Status::ok();
}

Result<tokens::SealedSecret> SecretVault::seal(const std::string& key_id,
                                              const SecretString& secret) {
  HT_RETURN_IF_ERROR(loadKey(true));
  // Built in place and moved, so no stray copy of the secret is left in freed memory.
  std::string plain;
  plain.reserve(key_id.size() + 1 + secret.size());
  plain += key_id;
  plain += '\n';
  plain.append(secret.reveal());
  SecretString plain_guard(std::move(plain));
  tokens::SealedSecret out;
  out.nonce.resize(crypto_secretbox_NONCEBYTES);
  randombytes_buf(out.nonce.data(), out.nonce.size());
  out.ciphertext.resize(plain_guard.size() + crypto_secretbox_MACBYTES);
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(out.ciphertext.data()),
                        reinterpret_cast<const unsigned char*>(plain_guard.reveal().data()),
                        plain_guard.size(),
                        reinterpret_cast<const unsigned char*>(out.nonce.data()),
                        reinterpret_cast<const unsigned char*>(key_.reveal().data()));
  return out;
}

Result<SecretString> SecretVault::open(const std::string& key_id,
                                       const tokens::SealedSecret& sealed) {
  HT_RETURN_IF_ERROR(loadKey(false));
  if (sealed.nonce.size() != crypto_secretbox_NONCEBYTES ||
      sealed.ciphertext.size() < crypto_secretbox_MACBYTES) {
    return Status::corruption("stored secret of " + key_id + " is malformed");
  }
  std::string plain(sealed.ciphertext.size() - crypto_secretbox_MACBYTES, '\0');
  SecretString guard;
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(plain.data()),
          reinterpret_cast<const unsigned char*>(sealed.ciphertext.data()),
          sealed.ciphertext.size(), reinterpret_cast<const unsigned char*>(sealed.nonce.data()),
          reinterpret_cast<const unsigned char*>(key_.reveal().data())) != 0) {
    return Status::corruption("stored secret of " + key_id +
                              " does not decrypt with this master key (wrong key or tampered row)");
  }
  guard = SecretString(std::move(plain));
  std::string_view view = guard.reveal();
  std::string prefix = key_id + "\n";
  if (!startsWith(view, prefix)) {
    return Status::corruption("stored secret does not belong to " + key_id);
  }
  return SecretString(std::string(view.substr(prefix.size())));
}

}  // namespace ht::tokens
