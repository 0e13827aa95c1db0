// Logging facade: levels, plain or JSON-lines output to stderr (or a test sink). Every message
// passes through redactSecrets() before it is written, as a second line of defence behind
// SecretString: nothing shaped like an AWS secret access key ever reaches a log.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ht::log {

enum class Level { kDebug = 0, kInfo, kWarn, kError };
enum class Format { kPlain, kJson };

bool parseLevel(std::string_view text, Level* out);
bool parseFormat(std::string_view text, Format* out);
const char* levelName(Level level);

using Fields = std::vector<std::pair<std::string, std::string>>;

void setLevel(Level level);
void setFormat(Format format);
// Replace where lines go (tests); nullptr restores stderr.
void setSink(std::function<void(const std::string& line)> sink);

void write(Level level, std::string_view message, const Fields& fields = {});
inline void debug(std::string_view m, const Fields& f = {}) { write(Level::kDebug, m, f); }
inline void info(std::string_view m, const Fields& f = {}) { write(Level::kInfo, m, f); }
inline void warn(std::string_view m, const Fields& f = {}) { write(Level::kWarn, m, f); }
inline void error(std::string_view m, const Fields& f = {}) { write(Level::kError, m, f); }

// Masks every run of exactly 40 base64 characters that mixes upper case, lower case and digits
// (the shape of an AWS secret access key). Hex digests (lower case only) are left alone.
std::string redactSecrets(std::string_view text);

}  // namespace ht::log
