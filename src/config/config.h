// Loading honeytrail.yaml into a Config: YAML (yaml-cpp, whose exceptions stop here) is checked
// against the schema in schema.h, `${VAR}` references are expanded from an injected environment,
// and every problem is reported as "file:line: key.path: what is wrong". Keys the file does not
// set keep the defaults declared in options.h.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/options.h"
#include "core/status.h"

namespace ht::config {

// Looks up an environment variable; nullopt when unset. Injected so tests need no setenv.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
// The real process environment (getenv).
EnvLookup processEnv();

// One thing wrong with a config file. line is 1-based; 0 when no line applies (e.g. an I/O error).
// key_path is the dotted key ("audit.max_key_age_days"), "" for problems with the whole file.
struct ConfigProblem {
  std::string source;
  int line = 0;
  std::string key_path;
  std::string message;
  // "honeytrail.yaml:12: audit.max_key_age_days: expected an integer, got \"soon\""
  std::string toString() const;
};

// Reads and validates the file with the process environment. A missing file is NotFound naming
// the path; invalid content is InvalidArgument listing every problem, one per line.
Result<Config> loadConfigFile(const std::string& path);

// Parses YAML text; source_name only labels messages.
Result<Config> parseConfig(std::string_view yaml_text, const std::string& source_name,
                           const EnvLookup& env);

// As parseConfig, and also appends every problem found to *problems (when not null), so that
// `honeytrail config validate` can show them all at once instead of one per run.
Result<Config> parseConfigCollect(std::string_view yaml_text, const std::string& source_name,
                                  const EnvLookup& env, std::vector<ConfigProblem>* problems);

// The effective config (defaults + file) as YAML, every key present, for `honeytrail config show`.
// Parsing the output gives back an equal Config (a literal "${" is written as "$${").
std::string configToYaml(const Config& config);

// The key paths whose values differ between a and b, in schema order; empty when equal.
std::vector<std::string> diffConfigs(const Config& a, const Config& b);

namespace detail {

// Expands ${VAR} and ${VAR:-default} (default also when VAR is set but empty, as in the shell);
// "$${" is a literal "${". The error names the variable.
Result<std::string> expandEnv(std::string_view text, const EnvLookup& env);

}  // namespace detail

}  // namespace ht::config
