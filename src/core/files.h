// File helpers with the safety properties honeytrail needs: whole-file reads with clear errors,
// atomic replacement (write a temporary file, fsync, rename) so that a crash never leaves a
// half-written credentials file, and explicit permission modes for sensitive files.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/status.h"

namespace ht {

Result<std::string> readFile(const std::string& path);
// The same into *out (replacing its contents, keeping its capacity for the next file).
Status readFileInto(const std::string& path, std::string* out);
// Writes content to path atomically with the given mode. Fails if the parent does not exist.
Status writeFileAtomic(const std::string& path, const std::string& content, mode_t mode);
// Creates a new file exclusively (AlreadyExists if it exists); never visible half-written.
Status writeFileExclusive(const std::string& path, const std::string& content, mode_t mode);
// Creates dir (and parents) with the given mode for the last component; checks it is writable.
Status ensurePrivateDir(const std::string& path, mode_t mode);
bool fileExists(const std::string& path);
// This machine's host name ("" when the system will not say).
std::string hostName();

}  // namespace ht
