#include "detect/enrich.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/files.h"
#include "core/log.h"
#include "core/strings.h"

namespace ht::detect {

// An open database; closed only if MMDB_open succeeded, since a failed open has already released
// what it allocated.
struct Enricher::Db {
  MMDB_s mmdb{};
  bool opened = false;
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() {
    if (opened) MMDB_close(&mmdb);
  }
};

namespace {

// A parsed address. IPv4-mapped IPv6 (::ffff:a.b.c.d) is folded into IPv4: it names the same
// host, and MaxMind trees and Tor lists file it under the IPv4 form.
struct ParsedIp {
  int family = 0;  // AF_INET or AF_INET6; 0 when the text is not an address
  in_addr v4{};
  in6_addr v6{};
};

ParsedIp parseIp(std::string_view text) {
  ParsedIp out;
  std::string s = trim(text);
  // inet_pton, unlike getaddrinfo, rejects the shorthand IPv4 forms ("10.1", "0x7f.1") that
  // would otherwise turn arbitrary text into an address.
  if (s.empty() || s.size() > INET6_ADDRSTRLEN) return out;
  if (inet_pton(AF_INET, s.c_str(), &out.v4) == 1) {
    out.family = AF_INET;
  } else if (inet_pton(AF_INET6, s.c_str(), &out.v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&out.v6)) {
      std::memcpy(&out.v4, out.v6.s6_addr + 12, 4);
      out.family = AF_INET;
    } else {
      out.family = AF_INET6;
    }
  }
  return out;
}

std::string canonical(const ParsedIp& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  const void* src = ip.family == AF_INET ? static_cast<const void*>(&ip.v4) : &ip.v6;
  if (inet_ntop(ip.family, src, buf, sizeof(buf)) == nullptr) return {};
  return buf;
}

Status openStatus(int mmdb_status, int saved_errno, const std::string& path) {
  std::string reason = MMDB_strerror(mmdb_status);
  switch (mmdb_status) {
    case MMDB_FILE_OPEN_ERROR:
      if (saved_errno == ENOENT) return Status::notFound("no such file: " + path);
      if (saved_errno == EACCES) {
        return Status::permissionDenied("cannot read " + path + ": " + std::strerror(saved_errno));
      }
      return Status::ioError("cannot open " + path + ": " + reason);
    case MMDB_IO_ERROR:
      return Status::ioError("cannot read " + path + ": " + reason);
    case MMDB_OUT_OF_MEMORY_ERROR:
      return Status::internal("opening " + path + ": " + reason);
    case MMDB_INVALID_METADATA_ERROR:
    case MMDB_UNKNOWN_DATABASE_FORMAT_ERROR:
      // No metadata marker, or a format version we cannot read: not a MaxMind database at all.
      return Status::invalidArgument(path + " is not a MaxMind database: " + reason);
    default:
      return Status::corruption(path + " is a damaged MaxMind database: " + reason);
  }
}

// Parses either the Tor Project's exit-addresses format or one address per line into
// canonical address strings. Lines that are neither are skipped and counted, not fatal: the list
// is advisory and a partly readable one is still worth using.
Status parseTorList(const std::string& path, std::unordered_set<std::string>* out) {
  auto text = readFile(path);
  // readFile's messages already name the path.
  if (!text) return text.status().withContext("Tor exit list");
  size_t skipped = 0;
  for (const std::string& raw : split(*text, '\n')) {
    std::string line = raw;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line = trim(line);
    if (line.empty()) continue;
    std::string_view candidate = line;
    if (auto space = line.find_first_of(" \t"); space != std::string::npos) {
      std::string_view keyword(line.data(), space);
      if (keyword != "ExitAddress") {
        // ExitNode, Published, LastStatus and anything else with fields: not an address line.
        if (keyword != "ExitNode" && keyword != "Published" && keyword != "LastStatus") ++skipped;
        continue;
      }
      std::string_view rest = std::string_view(line).substr(space);
      size_t start = rest.find_first_not_of(" \t");
      rest = start == std::string_view::npos ? std::string_view() : rest.substr(start);
      candidate = rest.substr(0, rest.find_first_of(" \t"));
    }
    ParsedIp ip = parseIp(candidate);
    if (ip.family == 0) {
      ++skipped;
      continue;
    }
    out->insert(canonical(ip));
  }
  if (out->empty()) {
    return Status::invalidArgument("Tor exit list " + path + " contains no addresses");
  }
  if (skipped > 0) {
    log::warn("skipped unrecognised lines in Tor exit list",
              {{"path", path}, {"skipped", std::to_string(skipped)}});
  }
  return Status::ok();
}

Status openDb(const std::string& path, const char* what, MMDB_s* mmdb) {
  // libmaxminddb reports a missing file only as "error opening the specified file"; stat first
  // so the operator sees which of the configured paths is wrong and why.
  struct stat sb;
  if (::stat(path.c_str(), &sb) != 0) {
    return openStatus(MMDB_FILE_OPEN_ERROR, errno, path).withContext(what);
  }
  if (!S_ISREG(sb.st_mode)) {
    return Status::invalidArgument(std::string(what) + ": " + path + " is not a regular file");
  }
  errno = 0;
  int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, mmdb);
  int saved_errno = errno;
  if (status != MMDB_SUCCESS) return openStatus(status, saved_errno, path).withContext(what);
  return Status::ok();
}

// Looks ip up in db; false when the database has no entry for it (or cannot hold the family).
bool find(const MMDB_s& mmdb, const ParsedIp& ip, MMDB_entry_s* entry) {
  sockaddr_storage ss{};
  if (ip.family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_addr = ip.v4;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_addr = ip.v6;
  }
  int mmdb_error = MMDB_SUCCESS;
  // Parsed already with inet_pton, so no getaddrinfo call per lookup (MMDB_lookup_string would
  // make one, and would accept inputs inet_pton rightly refuses).
  MMDB_lookup_result_s res =
      MMDB_lookup_sockaddr(&mmdb, reinterpret_cast<const sockaddr*>(&ss), &mmdb_error);
  // MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR lands here too: an IPv4-only database simply does
  // not know IPv6 addresses.
  if (mmdb_error != MMDB_SUCCESS || !res.found_entry) return false;
  *entry = res.entry;
  return true;
}

// The string at path (NULL-terminated key list), or "" when absent or of another type.
std::string getString(MMDB_entry_s* entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
      data.type != MMDB_DATA_TYPE_UTF8_STRING) {
    return {};
  }
  return std::string(data.utf8_string, data.data_size);
}

std::optional<uint32_t> getUint32(MMDB_entry_s* entry, const char* const* path) {
  MMDB_entry_data_s data{};
  if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS || !data.has_data) return std::nullopt;
  // GeoLite2-ASN stores uint32, but accept any unsigned width a third-party writer might pick.
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT16:
      return data.uint16;
    case MMDB_DATA_TYPE_UINT32:
      return data.uint32;
    case MMDB_DATA_TYPE_UINT64:
      if (data.uint64 <= UINT32_MAX) return static_cast<uint32_t>(data.uint64);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

Result<std::unique_ptr<Enricher>> Enricher::open(const EnricherFiles& files) {
  std::unique_ptr<Enricher> e(new Enricher());
  if (!files.geoip_db.empty()) {
    e->geo_ = std::make_unique<Db>();
    HT_RETURN_IF_ERROR(openDb(files.geoip_db, "GeoIP database", &e->geo_->mmdb));
    e->geo_->opened = true;
  }
  if (!files.asn_db.empty()) {
    e->asn_ = std::make_unique<Db>();
    HT_RETURN_IF_ERROR(openDb(files.asn_db, "ASN database", &e->asn_->mmdb));
    e->asn_->opened = true;
  }
  if (!files.tor_exit_list.empty()) {
    HT_RETURN_IF_ERROR(parseTorList(files.tor_exit_list, &e->tor_exits_));
    e->tor_loaded_ = true;
  }
  return e;
}

Enricher::~Enricher() = default;

bool Enricher::hasGeo() const { return geo_ != nullptr; }
bool Enricher::hasAsn() const { return asn_ != nullptr; }

IpEnrichment Enricher::lookup(std::string_view ip_text) const {
  IpEnrichment out;
  ParsedIp ip = parseIp(ip_text);
  if (ip.family == 0) return out;

  MMDB_entry_s entry{};
  if (geo_ && find(geo_->mmdb, ip, &entry)) {
    static const char* const kCountry[] = {"country", "iso_code", nullptr};
    out.country = getString(&entry, kCountry);
  }
  if (asn_ && find(asn_->mmdb, ip, &entry)) {
    static const char* const kNumber[] = {"autonomous_system_number", nullptr};
    static const char* const kOrg[] = {"autonomous_system_organization", nullptr};
    out.asn = getUint32(&entry, kNumber);
    out.as_org = getString(&entry, kOrg);
  }
  if (tor_loaded_) out.tor_exit = tor_exits_.count(canonical(ip)) > 0;
  return out;
}

}  // namespace ht::detect
