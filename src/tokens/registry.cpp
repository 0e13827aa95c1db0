#include "tokens/registry.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "aws/key_id.h"
#include "core/files.h"
#include "tokens/name_generator.h"

namespace ht::tokens {
namespace {

constexpr const char* kSyntheticAccountSetting = "synthetic_account_id";

}  // namespace

std::string currentActor() {
  if (const char* a = std::getenv("HONEYTRAIL_ACTOR"); a && *a) return a;
  std::string user = "uid" + std::to_string(::geteuid());
  if (struct passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) user = pw->pw_name;
  std::string host = hostName();
  return user + "@" + (host.empty() ? "localhost" : host);
}

Registry::Registry(TokenStore& store, SecretVault& vault, const config::Config& config,
                   const Clock& clock, RandomSource& random, std::string actor)
    : store_(store),
      vault_(vault),
      config_(config),
      clock_(clock),
      random_(random),
      actor_(std::move(actor)) {}

AuditEntry Registry::audit(const std::string& action, const std::string& type,
                           const std::string& id, const std::string& details_json) const {
  AuditEntry a;
  a.at = clock_.now();
  a.actor = actor_;
  a.action = action;
  a.object_type = type;
  a.object_id = id;
  a.details = details_json.empty() ? "{}" : details_json;
  return a;
}

std::string Registry::newTokenId() { return randomLowerId(random_, "ht-"); }

Result<std::string> Registry::syntheticAccountId() {
  if (!config_.tokens.synthetic_account_id.empty()) return config_.tokens.synthetic_account_id;
  return store_.setSettingIfAbsent(kSyntheticAccountSetting, aws::randomAccountId(random_));
}

Result<std::unique_ptr<Minter>> Registry::minterFor(const std::string& backend) {
  if (backend == "synthetic") {
    HT_ASSIGN_OR_RETURN(std::string account, syntheticAccountId());
    return makeSyntheticMinter(account, random_, clock_);
  }
  if (backend == "import") return makeImportMinter(clock_);
  if (backend == "aws") {
    if (!aws_factory_) {
      return Status::unsupported("the aws back-end is not configured in this process");
    }
    return aws_factory_();
  }
  return Status::invalidArgument("unknown back-end '" + backend +
                                 "' (expected synthetic, aws or import)");
}

Result<CreatedToken> Registry::create(const CreateOptions& options) {
  std::string backend = options.backend.empty() ? config_.tokens.default_backend : options.backend;
  if (backend == "import") {
    return Status::invalidArgument(
        "the import back-end registers an existing key: use `token import`");
  }
  HT_ASSIGN_OR_RETURN(auto minter, minterFor(backend));
  MintRequest req;
  req.user_name = options.user_name;
  req.user_path = options.user_path;
  req.tags = options.tags;
  auto names = std::make_shared<NameGenerator>(config_.tokens.naming, random_);
  req.next_name = [names]() { return names->next(); };
  HT_ASSIGN_OR_RETURN(MintedKey minted, minter->mint(req));
  Token made;  // enough for the back-end to find what it made
  made.backend = backend;
  made.key_id = minted.key_id;
  made.user_name = minted.user_name;
  made.user_path = minted.user_path;
  made.user_arn = minted.user_arn;
  auto registered =
      registerMinted(backend, std::move(minted), options.label, options.tags, options.store_secret);
  if (!registered.hasValue()) {
    // Nothing half-made: whatever the back-end created outside the registry is undone.
    Status undone = minter->retire(made);
    if (!undone.isOk()) {
      return Status::internal(registered.status().message() +
                              "; undoing the mint also failed: " + undone.message());
    }
  }
  return registered;
}

Result<Token> Registry::importKey(const ImportOptions& options) {
  auto minter = makeImportMinter(clock_);
  MintRequest req;
  req.key_id = options.key_id;
  req.user_name = options.user_name;
  req.user_path = options.user_path;
  req.user_arn = options.user_arn;
  req.principal_id = options.principal_id;
  req.tags = options.tags;
  HT_ASSIGN_OR_RETURN(MintedKey minted, minter->mint(req));
  if (options.key_created_at) minted.key_created_at = *options.key_created_at;
  HT_ASSIGN_OR_RETURN(CreatedToken created, registerMinted("import", std::move(minted),
                                                           options.label, options.tags, false));
  return created.token;
}

Result<CreatedToken> Registry::registerMinted(const std::string& backend, MintedKey minted,
                                              const std::string& label, const Tags& tags,
                                              bool store_secret) {
  Token t;
  t.id = newTokenId();
  t.key_id = minted.key_id;
  t.backend = backend;
  t.can_trigger = minted.can_trigger;
  t.account_id = minted.account_id;
  t.user_name = minted.user_name;
  t.user_path = minted.user_path;
  t.user_arn = minted.user_arn;
  t.principal_id = minted.principal_id;
  t.label = label;
  t.tags = tags;
  t.status = TokenStatus::kActive;
  t.created_at = clock_.now();
  t.key_created_at = minted.key_created_at;

  std::optional<tokens::SealedSecret> sealed;
  if (!minted.secret.empty() && store_secret) {
    HT_ASSIGN_OR_RETURN(tokens::SealedSecret s, vault_.seal(t.key_id, minted.secret));
    sealed = std::move(s);
    t.secret_state = SecretState::kStored;
  } else {
    t.secret_state = SecretState::kNotKept;
  }
  nlohmann::json details = {{"key_id", t.key_id},
                            {"backend", backend},
                            {"user_name", t.user_name},
                            {"account_id", t.account_id},
                            {"secret_stored", sealed.has_value()}};
  HT_RETURN_IF_ERROR(store_.createToken(
      t, sealed,
      audit(backend == "import" ? "token.import" : "token.create", "token", t.id, details.dump())));

  // The first hop of the chain of custody: whoever minted or registered it.
  CustodyEvent first;
  first.token_id = t.id;
  first.holder = actor_;
  first.method = backend == "import" ? "imported" : "minted";
  first.at = t.created_at;
  first.notes = backend == "import" ? "key made elsewhere; only the key ID was registered"
                                    : "minted by the " + backend + " back-end";
  HT_RETURN_IF_ERROR(addCustody(first).status());

  CreatedToken out{std::move(t), std::move(minted.secret)};
  return out;
}

Result<Token> Registry::find(const std::string& id_or_key_id) {
  return store_.findToken(id_or_key_id);
}

Result<std::vector<Token>> Registry::list(const tokens::TokenFilter& filter) {
  return store_.listTokens(filter);
}

Result<SecretString> Registry::storedSecret(const Token& token) {
  HT_ASSIGN_OR_RETURN(std::optional<tokens::SealedSecret> sealed, store_.loadSecret(token.id));
  if (!sealed) {
    std::string why = token.secret_state == SecretState::kForgotten
                          ? "its secret was forgotten after placement"
                          : "its secret was never kept";
    return Status::failedPrecondition("token " + token.id + ": " + why +
                                      "; pass the secret on standard input (--secret-stdin)");
  }
  return vault_.open(token.key_id, *sealed);
}

Status Registry::recordRender(const Token& token, const std::string& format,
                              const std::string& path) {
  nlohmann::json details = {{"format", format}};
  if (!path.empty()) details["into"] = path;
  return store_.appendAudit(audit("token.render", "token", token.id, details.dump()));
}

Status Registry::forgetSecret(const Token& token) {
  if (token.secret_state != SecretState::kStored) {
    return Status::failedPrecondition("token " + token.id + " holds no secret (" +
                                      secretStateName(token.secret_state) + ")");
  }
  return store_.forgetSecret(token.id, audit("secret.forget", "token", token.id, "{}"));
}

Status Registry::revoke(const Token& token, const std::string& reason) {
  if (token.status != TokenStatus::kActive) {
    return Status::failedPrecondition("token " + token.id + " is already revoked");
  }
  HT_ASSIGN_OR_RETURN(auto minter, minterFor(token.backend));
  HT_RETURN_IF_ERROR(minter->retire(token));
  nlohmann::json details = {{"reason", reason}, {"key_id", token.key_id}};
  HT_RETURN_IF_ERROR(store_.revokeToken(token.id, clock_.now(), reason,
                                        audit("token.revoke", "token", token.id, details.dump())));
  if (token.secret_state == SecretState::kStored) {
    // A revoked token is never rendered again: its secret has no reason to stay.
    HT_RETURN_IF_ERROR(store_.forgetSecret(
        token.id, audit("secret.forget", "token", token.id, R"({"why":"revoked"})")));
  }
  return Status::ok();
}

Result<int64_t> Registry::addPlacement(Placement placement) {
  HT_ASSIGN_OR_RETURN(Token token, store_.findToken(placement.token_id));
  if (token.status != TokenStatus::kActive) {
    return Status::failedPrecondition("token " + token.id + " is revoked; place an active token");
  }
  placement.token_id = token.id;
  if (placement.host.empty() && placement.location.empty()) {
    return Status::invalidArgument("a placement needs a host, a path or a resource");
  }
  if (placement.created_at == TimePoint{}) placement.created_at = clock_.now();
  nlohmann::json details = {{"token_id", token.id},
                            {"host", placement.host},
                            {"location", placement.location},
                            {"owner", placement.owner}};
  HT_ASSIGN_OR_RETURN(int64_t id, store_.addPlacement(placement, audit("placement.add", "placement",
                                                                       "", details.dump())));
  CustodyEvent hop;
  hop.token_id = token.id;
  hop.placement_id = id;
  hop.holder = placement.host.empty() ? placement.location : placement.host;
  hop.method = "placed";
  hop.at = placement.created_at;
  hop.notes = placement.location.empty() ? "" : "at " + placement.location;
  HT_RETURN_IF_ERROR(addCustody(hop).status());
  return id;
}

Result<std::vector<Placement>> Registry::placements(const std::optional<std::string>& token_id) {
  if (!token_id) return store_.listPlacements(std::nullopt);
  HT_ASSIGN_OR_RETURN(Token token, store_.findToken(*token_id));
  return store_.listPlacements(token.id);
}

Result<int64_t> Registry::addCustody(CustodyEvent event) {
  HT_ASSIGN_OR_RETURN(Token token, store_.findToken(event.token_id));
  event.token_id = token.id;
  if (event.holder.empty()) return Status::invalidArgument("a custody hop needs a holder");
  if (event.method.empty()) return Status::invalidArgument("a custody hop needs a method");
  if (event.at == TimePoint{}) event.at = clock_.now();
  nlohmann::json details = {
      {"token_id", token.id}, {"holder", event.holder}, {"method", event.method}};
  if (event.placement_id) details["placement_id"] = *event.placement_id;
  return store_.addCustody(event, audit("custody.add", "custody", "", details.dump()));
}

Result<std::vector<CustodyEvent>> Registry::custody(const std::string& token_id) {
  HT_ASSIGN_OR_RETURN(Token token, store_.findToken(token_id));
  return store_.listCustody(token.id);
}

Result<std::vector<AuditEntry>> Registry::history(int limit) { return store_.listAudit(limit); }

Result<int64_t> Registry::version() { return store_.registryVersion(); }

Result<std::vector<PlacedToken>> Registry::listPlaced(const tokens::TokenFilter& filter) {
  HT_ASSIGN_OR_RETURN(std::vector<Token> tokens, store_.listTokens(filter));
  HT_ASSIGN_OR_RETURN(std::vector<Placement> placements, store_.listPlacements(std::nullopt));
  std::map<std::string, std::vector<Placement>> by_token;
  for (auto& p : placements) by_token[p.token_id].push_back(std::move(p));
  std::vector<PlacedToken> out;
  out.reserve(tokens.size());
  for (auto& t : tokens) {
    auto it = by_token.find(t.id);
    out.push_back(
        {std::move(t), it == by_token.end() ? std::vector<Placement>{} : std::move(it->second)});
  }
  return out;
}

Result<RegistrySummary> Registry::summary() {
  HT_ASSIGN_OR_RETURN(std::vector<PlacedToken> placed, listPlaced({}));
  RegistrySummary s;
  s.tokens = placed.size();
  for (const auto& [t, placements] : placed) {
    (t.status == TokenStatus::kActive ? s.active : s.revoked)++;
    if (t.status == TokenStatus::kActive && placements.empty()) ++s.unplaced;
    if (t.secret_state == SecretState::kStored) ++s.secrets_stored;
  }
  return s;
}

Result<std::map<std::string, std::string>> Registry::keyIdsByToken() {
  HT_ASSIGN_OR_RETURN(std::vector<Token> tokens, store_.listTokens({}));
  std::map<std::string, std::string> key_of;
  for (const auto& t : tokens) key_of[t.id] = t.key_id;
  return key_of;
}

}  // namespace ht::tokens
