// Base64 as CloudWatch Logs delivers subscription payloads to Lambda and Kinesis consumers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ht::ingest {

// Whether text (ignoring whitespace) is nothing but standard base64 of a plausible length.
bool looksLikeBase64(std::string_view text);
// Standard alphabet, padding optional, whitespace ignored; nullopt on any other byte.
std::optional<std::string> decodeBase64(std::string_view text);

}  // namespace ht::ingest
