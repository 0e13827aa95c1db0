// Registry: the token services the CLI (and later the API) call. It picks the minting back-end,
// generates plausible IAM names, seals secrets through the SecretVault, and writes every change
// with its audit entry through the Store. Custody starts with the mint and grows with each
// placement and hand-over.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/options.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/secret.h"
#include "core/status.h"
#include "tokens/token_store.h"
#include "tokens/minter.h"
#include "tokens/model.h"
#include "tokens/secret_vault.h"


namespace ht::tokens {

struct CreateOptions {
  std::string backend;  // "" = config tokens.default_backend
  std::string label;
  Tags tags;
  std::string user_name;     // "" = generated
  std::string user_path;     // "" = generated
  bool store_secret = true;  // false: shown once, never kept
};

struct ImportOptions {
  std::string key_id;
  std::string user_name;
  std::string user_path;
  std::string user_arn;
  std::string principal_id;
  std::string label;
  Tags tags;
  std::optional<TimePoint> key_created_at;  // when the key was made, if known
};

struct CreatedToken {
  Token token;
  SecretString secret;
};

// A token with everywhere it was placed (oldest placement first).
struct PlacedToken {
  Token token;
  std::vector<Placement> placements;
};

// How the registry stands, for `status`: what is doing its job and what still needs a hand.
struct RegistrySummary {
  size_t tokens = 0;
  int active = 0;
  int revoked = 0;
  int unplaced = 0;        // active but placed nowhere: a honey token nobody can find
  int secrets_stored = 0;  // sealed secrets still kept (forget them once placed)
};

class Registry {
 public:
  Registry(TokenStore& store, SecretVault& vault, const config::Config& config,
           const Clock& clock, RandomSource& random, std::string actor);

  // Builds the aws back-end on first use (it needs credentials and the network); without one,
  // `--backend aws` is refused with a clear message.
  using MinterFactory = std::function<Result<std::unique_ptr<Minter>>()>;
  void setAwsMinterFactory(MinterFactory factory) { aws_factory_ = std::move(factory); }

  Result<CreatedToken> create(const CreateOptions& options);
  Result<Token> importKey(const ImportOptions& options);

  Result<Token> find(const std::string& id_or_key_id);
  Result<std::vector<Token>> list(const tokens::TokenFilter& filter);
  // Grows whenever a token, placement or custody record changes: a long-running process reloads
  // its token index when it differs from the one it loaded.
  Result<int64_t> version();

  // The stored secret; FailedPrecondition when it was never kept or has been forgotten.
  Result<SecretString> storedSecret(const Token& token);
  // Records that a token was rendered (format, and the file when written into one).
  Status recordRender(const Token& token, const std::string& format, const std::string& path);
  Status forgetSecret(const Token& token);
  Status revoke(const Token& token, const std::string& reason);

  // Adds a placement and the custody hop that put the token there.
  Result<int64_t> addPlacement(Placement placement);
  Result<std::vector<Placement>> placements(const std::optional<std::string>& token_id);
  Result<int64_t> addCustody(CustodyEvent event);
  Result<std::vector<CustodyEvent>> custody(const std::string& token_id);
  Result<std::vector<AuditEntry>> history(int limit);

  // Tokens (as list() gives them) each with its placements.
  Result<std::vector<PlacedToken>> listPlaced(const tokens::TokenFilter& filter);
  Result<RegistrySummary> summary();
  // Token ID -> access key ID for every token: what views of triggers and placements (which
  // hold only the token ID) show beside them.
  Result<std::map<std::string, std::string>> keyIdsByToken();

  // The account ID synthetic keys of this data dir encode (configured, or chosen once).
  Result<std::string> syntheticAccountId();

  const std::string& actor() const { return actor_; }

 private:
  Result<std::unique_ptr<Minter>> minterFor(const std::string& backend);
  AuditEntry audit(const std::string& action, const std::string& type, const std::string& id,
                   const std::string& details_json) const;
  Result<CreatedToken> registerMinted(const std::string& backend, MintedKey minted,
                                      const std::string& label, const Tags& tags,
                                      bool store_secret);
  std::string newTokenId();

  TokenStore& store_;
  SecretVault& vault_;
  const config::Config& config_;
  const Clock& clock_;
  RandomSource& random_;
  std::string actor_;
  MinterFactory aws_factory_;
};

// "user@host" of this process, or $HONEYTRAIL_ACTOR when set (automation names itself).
std::string currentActor();

}  // namespace ht::tokens
