// The config schema: one declarative table of every key honeytrail.yaml accepts, with its type,
// its limits and where it lives in Config. The loader, the validator, `config show` and the tests
// all walk this table, so a key added here is parsed, checked, dumped and documented-checked at
// once.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/options.h"
#include "core/status.h"

namespace ht::config {

enum class ValueKind {
  kString,      // any scalar, kept as text
  kInt,         // decimal integer within [min_value, max_value]
  kBool,        // true | false
  kEnum,        // one of allowed_values
  kStringList,  // a YAML sequence of scalars
};

// Accessors return the field inside a Config. Plain function pointers (captureless lambdas) keep
// the table a constant with no allocation per entry. `item` is the index of the entry in a named
// collection (see CollectionSpec); keys outside collections ignore it.
using StringField = std::string& (*)(Config&, size_t item);
using IntField = int& (*)(Config&, size_t item);
using BoolField = bool& (*)(Config&, size_t item);
using StringListField = std::vector<std::string>& (*)(Config&, size_t item);
// A kEnum key whose field is an enum class: the text is parsed into it once, at load, and named
// again for `config show`. write returns false for text the enum does not know.
struct TypedEnumField {
  std::string (*read)(const Config&, size_t item);
  bool (*write)(Config&, size_t item, std::string_view text);
};
using FieldAccess = std::variant<StringField, IntField, BoolField, StringListField, TypedEnumField>;

// A semantic check on one string value (or on each item of a list). Returns "" when the value is
// acceptable, otherwise the reason, phrased to follow "key: ".
using ItemCheck = std::string (*)(const std::string& value);

struct KeySpec {
  // Dotted key path, e.g. "audit.max_key_age_days". Keys of a collection's entries have "*" for
  // the entry name: "alerts.outputs.*.type".
  std::string_view path;
  ValueKind kind;
  FieldAccess field;
  int min_value = 0;                             // kInt only
  int max_value = 0;                             // kInt only
  std::vector<std::string_view> allowed_values;  // kEnum only
  // kEnum only: values that name a real feature this build does not have yet, so the error can say
  // "not yet supported" instead of "invalid".
  std::vector<std::string_view> unsupported_values;
  ItemCheck check = nullptr;  // kString and kStringList only; nullptr = any text
};

// A mapping of named entries of one shape, such as alerts.outputs: each key under it is an entry
// name the user picks, and the entry's own keys are the schema keys under "PATH.*".
struct CollectionSpec {
  std::string_view path;  // "alerts.outputs"
  std::string_view noun;  // "output", for messages
  size_t (*count)(const Config&);
  std::string& (*name)(Config&, size_t item);
  size_t (*add)(Config&);  // appends an entry with the defaults; returns its index
};

const std::vector<CollectionSpec>& configCollections();
// nullptr when path is not a collection.
const CollectionSpec* findCollection(std::string_view path);
// The collection a key belongs to; nullptr for keys outside collections.
const CollectionSpec* collectionOf(const KeySpec& spec);
// "alerts.outputs.*.type" for entry "pager" -> "alerts.outputs.pager.type".
std::string entryPath(std::string_view schema_path, std::string_view entry_name);

// Every key, in the order `config show` prints them. Sections (mappings such as "tokens.naming")
// are implied by the dotted paths.
const std::vector<KeySpec>& configSchema();

// nullptr when path is not a leaf key.
const KeySpec* findKey(std::string_view path);
// Whether path names a section, i.e. a proper prefix of some key ("storage", "storage.sqlite").
bool isSection(std::string_view path);
// Every section path, parents before children.
const std::vector<std::string>& configSections();
// Every section and key path in schema order, each section just before its first key (the order
// the example file documents them in).
const std::vector<std::string>& configPathsInOrder();

// Reads the value of a key from a Config as the text `config show` prints (lists are handled by
// the caller through readList).
std::string readScalar(const KeySpec& spec, const Config& config, size_t item = 0);
std::vector<std::string> readList(const KeySpec& spec, const Config& config, size_t item = 0);

namespace detail {

// Strict decimal integer: optional sign, digits only, must fit an int.
Result<int> parseInt(std::string_view text);
// "true" or "false" (any letter case).
Result<bool> parseBool(std::string_view text);
// Levenshtein distance, for "did you mean" suggestions.
size_t editDistance(std::string_view a, std::string_view b);

// Item checks, exposed for tests.
std::string checkAccountId(const std::string& value);
std::string checkOptionalAccountId(const std::string& value);
std::string checkIamPath(const std::string& value);
std::string checkIamNameWord(const std::string& value);
std::string checkNamingPattern(const std::string& value);

}  // namespace detail

}  // namespace ht::config
