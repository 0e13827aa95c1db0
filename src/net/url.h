// URL pieces shared by every HTTP client (AWS, Jira, webhooks).
#pragma once

#include <string>
#include <string_view>

namespace ht::net {

// RFC 3986 percent-encoding as SigV4 also requires it: unreserved A-Za-z0-9-_.~ kept (and '/'
// when keep_slash, for paths), everything else %XX in upper case.
std::string uriEncode(std::string_view s, bool keep_slash);

}  // namespace ht::net
