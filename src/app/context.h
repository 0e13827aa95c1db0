// Context: what a CLI command needs, built on first use in a fixed order (config → logging →
// data dir → database → vault → registry), so that commands that need none of it (key inspect)
// touch nothing on disk.
#pragma once

#include <memory>
#include <string>

#include "alert/delivery.h"
#include "incidents/incidents.h"
#include "alert/router.h"
#include "core/random.h"
#include "aws/session.h"
#include "config/options.h"
#include "detect/enrich.h"
#include "live/pipeline.h"
#include "store/store.h"
#include "tokens/audit.h"
#include "tokens/registry.h"
#include "tokens/secret_vault.h"

namespace ht::app {

struct GlobalOptions {
  std::string data_dir;
  std::string config_path;
  std::string log_level;
  std::string log_format;
};

// --config, else $HONEYTRAIL_CONFIG, else DATA_DIR/honeytrail.yaml if it exists, else "".
std::string resolveConfigPath(const GlobalOptions& g);

Result<tokens::CanaryAccounts> loadCanaryAccounts(const config::Config& config);

class Context {
 public:
  explicit Context(GlobalOptions g);
  ~Context();

  // Each throws nothing; failures stop the command with a clear message (see cli.cpp).
  const config::Config& config();
  store::Store& store();
  tokens::Registry& registry();
  Result<std::vector<tokens::Finding>> auditAll();
  // The AWS clients, built on first use from the config's aws section.
  Result<aws::AwsSession*> aws();
  // Incident grouping (alerts.incident_window_minutes) over the store; its announcements go
  // through router() into the outbox.
  incidents::IncidentManager& incidents();
  // Alert routing (alerts.routes, quiet rules, throttles, runbooks).
  alert::Router& router();
  // The configured outputs and actions with the dispatcher over them; credentials are read from
  // the environment on first use, and a missing one is an error naming the key.
  Result<alert::Delivery*> delivery();
  // The local enrichment files of the config's enrich section; nullptr when none is set.
  Result<const detect::Enricher*> enricher();
  // The one detection pipeline (enrichment, incident grouping and routing wired in): every
  // command that can make a trigger (ingest, aws poll-last-used, serve) goes through it.
  Result<live::Pipeline*> pipeline();

  const std::string& dataDir();
  const std::string& databasePath();
  std::string configSource();

 private:
  void loadConfig();
  void openStore();

  GlobalOptions g_;
  bool config_loaded_ = false;
  config::Config config_;
  std::string config_path_;
  std::string data_dir_;
  std::string db_path_;
  std::unique_ptr<store::Store> store_;  // the database (thread-safe: serve's threads share it)
  std::unique_ptr<tokens::SecretVault> vault_;
  std::unique_ptr<RandomSource> random_;
  std::unique_ptr<tokens::Registry> registry_;
  std::unique_ptr<aws::AwsSession> aws_;
  std::unique_ptr<RandomSource> incident_random_;
  std::unique_ptr<alert::Router> router_;
  std::unique_ptr<incidents::IncidentManager> incidents_;
  std::unique_ptr<alert::Delivery> delivery_;
  bool enricher_loaded_ = false;
  std::unique_ptr<detect::Enricher> enricher_;
  std::unique_ptr<live::Pipeline> pipeline_;
};

// Raised by Context when set-up fails; cli.cpp turns it into an error message and exit code 1.
struct ContextError {
  Status status;
};

}  // namespace ht::app
