// Minting back-ends behind one interface: "synthetic" (format-valid keys that AWS has never
// issued, for demos and tests), "import" (a key made elsewhere, e.g. on the host itself, of
// which only the key ID travels) and "aws" (a real IAM user and key in the honey account).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/secret.h"
#include "core/status.h"
#include "tokens/model.h"

namespace ht::aws {
class RandomSource;
}

namespace ht::tokens {

struct MintRequest {
  std::string user_name;  // chosen by the registry's name generator unless given
  std::string user_path;
  Tags tags;
  // import only: what the key's maker told us.
  std::string key_id;
  std::string user_arn;
  std::string principal_id;
};

struct MintedKey {
  std::string key_id;
  SecretString secret;  // empty when the back-end never sees it (import)
  std::string account_id;
  std::string user_name;
  std::string user_path;
  std::string user_arn;
  std::string principal_id;
  bool can_trigger = true;
  TimePoint key_created_at{};
};

class Minter {
 public:
  virtual ~Minter() = default;
  virtual const char* name() const = 0;
  virtual Result<MintedKey> mint(const MintRequest& request) = 0;
  // Undoes what mint() made outside the registry (the IAM user and key for "aws").
  virtual Status retire(const Token& token) = 0;
};

// Synthetic keys encode account_id, so that all of one data dir's keys look like one account's.
std::unique_ptr<Minter> makeSyntheticMinter(std::string account_id, aws::RandomSource& random,
                                            const Clock& clock);
std::unique_ptr<Minter> makeImportMinter(const Clock& clock);
// The real IAM back-end needs the AWS clients; until they exist it refuses with Unsupported.
std::unique_ptr<Minter> makeAwsMinter();

std::vector<std::string> minterNames();

}  // namespace ht::tokens
