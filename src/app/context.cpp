#include "app/context.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "config/config.h"
#include "core/files.h"
#include "core/log.h"
#include "store/sqlite/sqlite_store.h"

namespace ht::app {
namespace {

std::string envOr(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void fail(const Status& st) { throw ContextError{st}; }

std::string dataDirFrom(const GlobalOptions& g, const std::string& configured) {
  if (!g.data_dir.empty()) return g.data_dir;
  if (auto env = envOr("HONEYTRAIL_DATA_DIR"); !env.empty()) return env;
  if (!configured.empty()) return configured;
  return "honeytrail-data";
}

}  // namespace

std::string resolveConfigPath(const GlobalOptions& g) {
  if (!g.config_path.empty()) return g.config_path;
  if (auto env = envOr("HONEYTRAIL_CONFIG"); !env.empty()) return env;
  std::string candidate = dataDirFrom(g, "") + "/honeytrail.yaml";
  return fileExists(candidate) ? candidate : "";
}

Result<tokens::CanaryAccounts> loadCanaryAccounts(const config::Config& config) {
  tokens::CanaryAccounts accounts = tokens::CanaryAccounts::builtIn();
  for (const auto& file : config.audit.canary_account_files) {
    HT_RETURN_IF_ERROR(accounts.loadFile(file));
  }
  return accounts;
}

Context::Context(GlobalOptions g) : g_(std::move(g)) {}
Context::~Context() = default;

void Context::loadConfig() {
  if (config_loaded_) return;
  config_loaded_ = true;
  config_path_ = resolveConfigPath(g_);
  if (!config_path_.empty()) {
    auto loaded = config::loadConfigFile(config_path_);
    if (!loaded.hasValue()) fail(loaded.status());
    config_ = std::move(loaded).value();
  }
  log::Level level;
  if (log::parseLevel(g_.log_level.empty() ? config_.log.level : g_.log_level, &level))
    log::setLevel(level);
  log::Format format;
  if (log::parseFormat(g_.log_format.empty() ? config_.log.format : g_.log_format, &format)) {
    log::setFormat(format);
  }
  data_dir_ =
      std::filesystem::absolute(dataDirFrom(g_, config_.data_dir)).lexically_normal().string();
  if (data_dir_.size() > 1 && data_dir_.back() == '/') data_dir_.pop_back();
}

const config::Config& Context::config() {
  loadConfig();
  return config_;
}

const std::string& Context::dataDir() {
  loadConfig();
  return data_dir_;
}

std::string Context::configSource() {
  loadConfig();
  return config_path_.empty() ? "(none: defaults)" : config_path_;
}

const std::string& Context::databasePath() {
  loadConfig();
  if (db_path_.empty()) {
    const std::string& p = config_.storage.sqlite.path;
    db_path_ = (!p.empty() && p[0] == '/') ? p : data_dir_ + "/" + p;
  }
  return db_path_;
}

void Context::openStore() {
  if (store_) return;
  loadConfig();
  if (config_.storage.backend != "sqlite") {
    fail(Status::unsupported("storage backend '" + config_.storage.backend + "' is not available"));
  }
  // The inventory says where every tripwire is: only its owner may read the data dir.
  if (Status st = ensurePrivateDir(data_dir_, 0700); !st.isOk()) fail(st);
  auto opened = store::openSqliteStore(databasePath(), config_.storage.sqlite);
  if (!opened.hasValue()) fail(opened.status());
  store_ = std::move(opened).value();
  log::debug("opened database", {{"path", db_path_}});
}

store::Store& Context::store() {
  openStore();
  return *store_;
}

tokens::Registry& Context::registry() {
  if (!registry_) {
    openStore();
    vault_ = std::make_unique<tokens::SecretVault>(
        config_.secrets, data_dir_, [](const std::string& name) -> std::optional<std::string> {
          const char* v = std::getenv(name.c_str());
          if (!v) return std::nullopt;
          return std::string(v);
        });
    random_ = std::make_unique<SodiumRandomSource>();
    registry_ = std::make_unique<tokens::Registry>(
        *store_, *vault_, config_, SystemClock::instance(), *random_, tokens::currentActor());
    registry_->setAwsMinterFactory([this]() -> Result<std::unique_ptr<tokens::Minter>> {
      HT_ASSIGN_OR_RETURN(aws::AwsSession * session, aws());
      tokens::AwsMinterOptions options;
      options.deny_policy_name = config_.aws.deny_policy_name;
      return tokens::makeAwsMinter(session->iam(), options, SystemClock::instance());
    });
  }
  return *registry_;
}

Result<aws::AwsSession*> Context::aws() {
  if (!aws_) {
    loadConfig();
    auto session = aws::AwsSession::create(config_.aws, SystemClock::instance());
    if (!session.hasValue()) return session.status().withContext("setting up AWS access");
    aws_ = std::move(session).value();
  }
  return aws_.get();
}

incidents::IncidentManager& Context::incidents() {
  if (!incidents_) {
    openStore();
    incident_random_ = std::make_unique<SodiumRandomSource>();
    incidents::IncidentOptions options;
    options.window = std::chrono::minutes(config_.alerts.incident_window_minutes);
    incidents::Notifier notifier;
    if (!config_.alerts.routes.empty()) notifier = router().notifier();
    incidents_ = std::make_unique<incidents::IncidentManager>(
        *store_, *store_, SystemClock::instance(), *incident_random_, options, std::move(notifier));
  }
  return *incidents_;
}

alert::Router& Context::router() {
  if (!router_) {
    openStore();
    std::string base_dir;
    if (!config_path_.empty()) {
      base_dir = std::filesystem::path(config_path_).parent_path().string();
      if (base_dir.empty()) base_dir = ".";
    }
    auto runbooks = alert::loadRunbooks(config_.alerts, base_dir);
    if (!runbooks.hasValue()) throw ContextError{runbooks.status()};
    router_ = std::make_unique<alert::Router>(alert::RouterStorage::of(*store_), SystemClock::instance(), config_.alerts,
                                              std::move(runbooks).value(), hostName());
  }
  return *router_;
}

Result<alert::Delivery*> Context::delivery() {
  if (!delivery_) {
    openStore();
    HT_ASSIGN_OR_RETURN(delivery_, alert::Delivery::create(*store_, SystemClock::instance(),
                                                           config_.alerts, config::processEnv()));
  }
  return delivery_.get();
}

Result<const detect::Enricher*> Context::enricher() {
  if (!enricher_loaded_) {
    loadConfig();
    const config::EnrichOptions& e = config_.enrich;
    if (!e.geoip_db.empty() || !e.asn_db.empty() || !e.tor_exit_list.empty()) {
      detect::EnricherFiles files{e.geoip_db, e.asn_db, e.tor_exit_list};
      auto opened = detect::Enricher::open(files);
      if (!opened.hasValue()) return opened.status().withContext("enrich");
      enricher_ = std::move(opened).value();
    }
    enricher_loaded_ = true;
  }
  return static_cast<const detect::Enricher*>(enricher_.get());
}

Result<live::Pipeline*> Context::pipeline() {
  if (!pipeline_) {
    HT_ASSIGN_OR_RETURN(const detect::Enricher* e, enricher());
    pipeline_ = std::make_unique<live::Pipeline>(store(), registry(), e, SystemClock::instance(),
                                                 &incidents());
  }
  return pipeline_.get();
}

Result<std::vector<tokens::Finding>> Context::auditAll() {
  HT_ASSIGN_OR_RETURN(tokens::CanaryAccounts canaries, loadCanaryAccounts(config()));
  HT_ASSIGN_OR_RETURN(auto placed, registry().listPlaced({}));
  std::vector<tokens::AuditInput> inputs;
  for (auto& [token, placements] : placed) {
    inputs.push_back({std::move(token), std::move(placements)});
  }
  return tokens::auditTokens(inputs, config_.audit, canaries, SystemClock::instance().now());
}

}  // namespace ht::app
