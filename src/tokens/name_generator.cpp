#include "tokens/name_generator.h"

#include <array>
#include <regex>

#include "core/strings.h"

namespace ht::tokens {

namespace {

// Words that give a honey token away. Anyone who suspects a trap greps for these. "canaries" is
// listed because it does not contain "canary".
constexpr std::array<std::string_view, 19> kTellWords = {
    "canaries", "honey",   "canary",      "token",     "trap",      "decoy", "bait",
    "tripwire", "lure",    "fake",        "deception", "sentinel",  "alarm", "tarpit",
    "beacon",   "tracker", "canarytoken", "spacecrab", "spacesiren"};

// Built-in word lists: the sort of names found in real AWS accounts. The unit tests run them
// through validate(), so none holds a tell.
const std::vector<std::string> kServices = {
    "billing-export", "terraform",     "backup-s3-sync", "datadog-integration",
    "jenkins",        "gitlab-runner", "airflow",        "etl",
    "reporting",      "grafana",       "prometheus",     "snowflake-loader",
    "fivetran",       "looker",        "deploy",         "ansible",
    "packer",         "argocd",        "github-actions", "circleci",
    "log-shipper",    "cost-report",   "vault",          "dns-updater",
    "cert-renewal",   "ses-mailer",    "data-pipeline",  "newrelic",
    "pagerduty",      "image-resizer", "invoice-sync",   "s3-uploader"};
const std::vector<std::string> kEnvs = {
    "prod", "production", "prd",     "staging", "stage",  "stg",   "dev", "development",
    "qa",   "uat",        "preprod", "sandbox", "shared", "ops",   "int", "perf",
    "dr",   "live",       "nonprod", "mgmt",    "tools",  "eu",    "us",  "use1",
    "euw1", "apac",       "east",    "west",    "main",   "legacy"};
const std::vector<std::string> kTeams = {
    "platform", "data",    "infra",    "sre",     "devops",   "payments",  "billing", "growth",
    "mobile",   "web",     "frontend", "backend", "search",   "ml",        "finance", "marketing",
    "sales",    "support", "identity", "core",    "commerce", "logistics", "catalog", "checkout",
    "content",  "media",   "partners", "release", "tooling",  "network"};
const std::vector<std::string> kFirstNames = {
    "maria",  "james",  "wei",   "priya",  "ahmed",  "sofia",  "lukas",   "emma",
    "olivia", "daniel", "anna",  "carlos", "yuki",   "fatima", "michael", "sarah",
    "david",  "laura",  "ivan",  "chen",   "aisha",  "tom",    "nina",    "pedro",
    "elena",  "omar",   "julia", "marco",  "hannah", "raj",    "kevin",   "grace"};
const std::vector<std::string> kLastNames = {
    "lopez",   "smith",    "kowalski", "nguyen", "patel",  "garcia", "mueller", "johnson",
    "kim",     "rossi",    "novak",    "silva",  "brown",  "tanaka", "ivanova", "cohen",
    "schmidt", "andersen", "martin",   "dubois", "okafor", "santos", "fischer", "jensen",
    "walker",  "moreau",   "hughes",   "kaur",   "lee",    "wright", "reyes",   "bauer"};
const std::vector<std::string> kServicePaths = {"/service/", "/service-accounts/", "/automation/",
                                                "/ci/",      "/integrations/",     "/system/",
                                                "/apps/",    "/platform/",         "/ops/"};
const std::vector<std::string> kPersonPaths = {"/users/", "/staff/", "/engineering/", "/employees/",
                                               "/people/"};

const std::vector<std::string> kServiceTemplates = {
    "svc-{service}",    "svc-{service}-{env}",    "{service}-{env}", "ci-{service}-{env}",
    "{team}-{service}", "{team}-{service}-{env}", "{service}"};
const std::vector<std::string> kPersonTemplates = {"{first}.{last}", "{f}{last}",
                                                   "{f}.{last}",     "{first}_{last}",
                                                   "{f}{last}{n}",   "{first}.{last}{n}"};

constexpr std::array<std::string_view, 7> kPlaceholders = {"service", "env", "team", "first",
                                                           "last",    "f",   "n"};
constexpr int kMaxTries = 100;

bool isIamNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("+=,.@_-").find(c) != std::string_view::npos;
}

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isVowel(char c) { return std::string_view("aeiouyAEIOUY").find(c) != std::string_view::npos; }

double entropy(std::string_view s) { return aws::shannonEntropy(s); }

// A letters-and-digits run that no person would type.
bool runLooksRandom(std::string_view run) {
  size_t letters = 0, vowels = 0, digits = 0, switches = 0;
  for (size_t i = 0; i < run.size(); ++i) {
    if (isLetter(run[i])) ++letters;
    if (isVowel(run[i])) ++vowels;
    if (isDigit(run[i])) ++digits;
    if (i > 0 && isDigit(run[i]) != isDigit(run[i - 1])) ++switches;
  }
  if (run.size() >= 8 && letters >= 3 && vowels == 0 && entropy(run) >= 2.5) return true;
  if (run.size() >= 8 && switches >= 4) return true;  // x7k2m9p4
  if (digits >= 10 && letters == 0) return true;      // an account number or a timestamp
  return false;
}

// Splits a pattern into literal text and placeholders; InvalidArgument on syntax problems.
struct Piece {
  bool placeholder;
  std::string text;
};

Result<std::vector<Piece>> parsePattern(std::string_view pattern) {
  std::vector<Piece> pieces;
  std::string literal;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '}') {
      return Status::invalidArgument("naming pattern '" + std::string(pattern) +
                                     "': '}' without '{' at position " + std::to_string(i + 1));
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) {
      return Status::invalidArgument("naming pattern '" + std::string(pattern) +
                                     "': '{' at position " + std::to_string(i + 1) +
                                     " is never closed");
    }
    std::string name(pattern.substr(i + 1, close - i - 1));
    bool known = false;
    for (auto p : kPlaceholders) known = known || p == name;
    if (!known) {
      return Status::invalidArgument("naming pattern '" + std::string(pattern) +
                                     "': unknown placeholder {" + name +
                                     "} (known: {service} {env} {team} {first} {last} {f} {n})");
    }
    if (!literal.empty()) pieces.push_back({false, std::move(literal)});
    literal.clear();
    pieces.push_back({true, name});
    i = close;
  }
  if (!literal.empty()) pieces.push_back({false, std::move(literal)});
  return pieces;
}

Status checkPattern(const std::string& pattern) {
  HT_ASSIGN_OR_RETURN(std::vector<Piece> pieces, parsePattern(pattern));
  bool any_placeholder = false;
  std::string literal_text;
  for (const auto& piece : pieces) {
    if (piece.placeholder) {
      any_placeholder = true;
      continue;
    }
    for (char c : piece.text) {
      if (!isIamNameChar(c)) {
        return Status::invalidArgument("naming pattern '" + pattern + "': character '" +
                                       std::string(1, c) + "' is not allowed in IAM user names");
      }
    }
    literal_text += piece.text + " ";
  }
  if (!any_placeholder) {
    return Status::invalidArgument("naming pattern '" + pattern +
                                   "' has no placeholder: every user would get the same name");
  }
  std::string tell;
  if (containsTell(literal_text, &tell)) {
    return Status::invalidArgument("naming pattern '" + pattern + "' contains the tell word '" +
                                   tell + "'");
  }
  return Status::ok();
}

Status checkWords(const char* field, const std::vector<std::string>& words) {
  for (const auto& word : words) {
    const std::string where = std::string("naming.") + field + ": '" + word + "'";
    if (word.empty() || word.size() > 64) {
      return Status::invalidArgument(where + " must be 1-64 characters");
    }
    for (char c : word) {
      if (!isIamNameChar(c)) {
        return Status::invalidArgument(where + ": character '" + std::string(1, c) +
                                       "' is not allowed in IAM user names");
      }
    }
    std::string tell;
    if (containsTell(word, &tell)) {
      return Status::invalidArgument(where + " contains the tell word '" + tell + "'");
    }
    if (looksRandom(word)) {
      return Status::invalidArgument(where + " looks random; attackers notice machine-made names");
    }
  }
  return Status::ok();
}

Status checkPaths(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    const std::string where = "naming.paths: '" + path + "'";
    if (!isValidIamPath(path)) {
      return Status::invalidArgument(
          where +
          " is not an IAM path (starts and ends with '/', at most 512 printable "
          "characters)");
    }
    std::string tell;
    if (containsTell(path, &tell)) {
      return Status::invalidArgument(where + " contains the tell word '" + tell + "'");
    }
    if (looksRandom(path)) return Status::invalidArgument(where + " looks random");
  }
  return Status::ok();
}

}  // namespace

bool containsTell(std::string_view text, std::string* which) {
  const std::string lower = toLower(text);
  // Longest first, so "canarytoken" is named rather than "canary".
  std::string_view best;
  for (auto word : kTellWords) {
    if (lower.find(word) != std::string::npos && word.size() > best.size()) best = word;
  }
  if (best.empty()) return false;
  if (which != nullptr) *which = std::string(best);
  return true;
}

bool looksRandom(std::string_view text) {
  static const std::regex kUuid(
      "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
  if (std::regex_search(text.begin(), text.end(), kUuid)) return true;
  size_t hex_run = 0;
  for (char c : text) {
    hex_run = isHex(c) ? hex_run + 1 : 0;
    if (hex_run >= 12) return true;
  }
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || !(isLetter(text[i]) || isDigit(text[i]))) {
      if (i > start && runLooksRandom(text.substr(start, i - start))) return true;
      start = i + 1;
    }
  }
  return false;
}

bool looksGeneric(std::string_view name) {
  static const std::regex kGeneric(
      "(user|test|testing|tester|testuser|test[-_.]user|admin|administrator|root|temp|tmp|demo|"
      "guest|default|example|sample|dummy|aws|aws[-_.]user|iam|iam[-_.]user|service|svc|account|"
      "foo|bar|john[-_.]?doe|jdoe|new[-_.]?user|api|api[-_.]user|dev|developer)[-_.]?[0-9]*",
      std::regex::icase);
  return std::regex_match(name.begin(), name.end(), kGeneric);
}

bool isValidIamUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!isIamNameChar(c)) return false;
  }
  return true;
}

bool isValidIamPath(std::string_view path) {
  if (path.empty() || path.size() > 512 || path.front() != '/' || path.back() != '/') return false;
  for (char c : path) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

NameGenerator::NameGenerator(const config::NamingOptions& options, RandomSource& random)
    : options_(options), random_(random), options_status_(validate(options)) {}

Status NameGenerator::validate(const config::NamingOptions& options) {
  if (options.style != "service" && options.style != "person" && options.style != "mixed") {
    return Status::invalidArgument("naming.style '" + options.style +
                                   "' is not one of service, person, mixed");
  }
  if (!options.pattern.empty()) HT_RETURN_IF_ERROR(checkPattern(options.pattern));
  HT_RETURN_IF_ERROR(checkWords("services", options.services));
  HT_RETURN_IF_ERROR(checkWords("envs", options.envs));
  HT_RETURN_IF_ERROR(checkWords("teams", options.teams));
  HT_RETURN_IF_ERROR(checkWords("first_names", options.first_names));
  HT_RETURN_IF_ERROR(checkWords("last_names", options.last_names));
  HT_RETURN_IF_ERROR(checkPaths(options.paths));
  return Status::ok();
}

config::NamingOptions NameGenerator::builtInWordLists() {
  config::NamingOptions o;
  o.services = kServices;
  o.envs = kEnvs;
  o.teams = kTeams;
  o.first_names = kFirstNames;
  o.last_names = kLastNames;
  o.paths = kServicePaths;
  o.paths.insert(o.paths.end(), kPersonPaths.begin(), kPersonPaths.end());
  return o;
}

const std::vector<std::string>& NameGenerator::list(
    const std::vector<std::string>& configured, const std::vector<std::string>& built_in) const {
  return configured.empty() ? built_in : configured;
}

const std::string& NameGenerator::pick(const std::vector<std::string>& words) {
  return words[random_.uniform(static_cast<uint32_t>(words.size()))];
}

std::string NameGenerator::fill(std::string_view pattern) {
  // The pattern was validated, so parsing cannot fail here.
  auto pieces = parsePattern(pattern);
  HT_CHECK(pieces.hasValue());
  // One first name per name, so that {first} and {f} agree.
  const std::string& first = pick(list(options_.first_names, kFirstNames));
  std::string out;
  for (const auto& piece : *pieces) {
    if (!piece.placeholder) {
      out += piece.text;
    } else if (piece.text == "service") {
      out += pick(list(options_.services, kServices));
    } else if (piece.text == "env") {
      out += pick(list(options_.envs, kEnvs));
    } else if (piece.text == "team") {
      out += pick(list(options_.teams, kTeams));
    } else if (piece.text == "first") {
      out += first;
    } else if (piece.text == "f") {
      out += first.substr(0, 1);
    } else if (piece.text == "last") {
      out += pick(list(options_.last_names, kLastNames));
    } else if (piece.text == "n") {
      // Small numbers, as people add when a name is taken (jsmith2), not serials.
      out += std::to_string(1 + random_.uniform(12));
    }
  }
  return out;
}

Result<GeneratedName> NameGenerator::next() {
  HT_RETURN_IF_ERROR(options_status_);
  std::string last_problem;
  for (int attempt = 0; attempt < kMaxTries; ++attempt) {
    bool person;
    std::string pattern = options_.pattern;
    if (options_.style == "mixed") {
      person = random_.uniform(2) == 0;
    } else {
      person = options_.style == "person";
    }
    if (pattern.empty()) pattern = pick(person ? kPersonTemplates : kServiceTemplates);

    GeneratedName name;
    name.user_name = fill(pattern);
    if (!options_.paths.empty()) {
      name.path = pick(options_.paths);
    } else {
      // Most real users sit at the root path.
      name.path = random_.uniform(2) == 0 ? "/" : pick(person ? kPersonPaths : kServicePaths);
    }

    std::string tell;
    if (!isValidIamUserName(name.user_name)) {
      last_problem = "'" + name.user_name + "' is not a valid IAM user name (1-64 characters)";
    } else if (containsTell(name.user_name + " " + name.path, &tell)) {
      // Words that are clean alone can meet to spell a tell ("...-bait" + "...").
      last_problem = "'" + name.user_name + "' contains the tell word '" + tell + "'";
    } else if (looksRandom(name.user_name) || looksRandom(name.path)) {
      last_problem = "'" + name.user_name + "' looks random";
    } else if (looksGeneric(name.user_name)) {
      last_problem = "'" + name.user_name + "' is a generic name";
    } else {
      return name;
    }
  }
  return Status::failedPrecondition("no clean IAM user name after " + std::to_string(kMaxTries) +
                                    " tries; last: " + last_problem +
                                    "; check naming.pattern and the word lists");
}

}  // namespace ht::tokens
