// Local enrichment of a trigger's source IP, with no network call: country and network owner
// from MaxMind-format databases (libmaxminddb), and whether the address is a Tor exit. Without
// the files configured, lookups simply return nothing.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/status.h"

namespace ht::detect {

struct IpEnrichment {
  std::string country;  // ISO 3166-1 alpha-2 ("DE"), "" when unknown
  std::optional<uint32_t> asn;
  std::string as_org;  // "Hetzner Online GmbH"
  std::optional<bool> tor_exit;  // unset when no Tor list is configured
  bool empty() const { return country.empty() && !asn && as_org.empty() && !tor_exit; }
};

struct EnricherFiles {
  std::string geoip_db;       // .mmdb with country (Country or City); "" = none
  std::string asn_db;         // .mmdb with autonomous_system_number/organization; "" = none
  std::string tor_exit_list;  // Tor Project exit-addresses format or one address per line
};

class Enricher {
 public:
  // Opens every configured file. A missing or unreadable file, a file that is not a MaxMind
  // database, or a Tor list without a single address is an error naming the file.
  static Result<std::unique_ptr<Enricher>> open(const EnricherFiles& files);
  ~Enricher();
  Enricher(const Enricher&) = delete;
  Enricher& operator=(const Enricher&) = delete;

  // ip: IPv4 or IPv6 text as CloudTrail records it. Anything that is not an IP address
  // (sourceIPAddress is "AWS Internal" or a service name for calls AWS makes) gives an empty
  // result, never an error. Thread-safe (libmaxminddb reads a shared mmap).
  IpEnrichment lookup(std::string_view ip) const;

  bool hasGeo() const;
  bool hasAsn() const;
  bool hasTor() const { return tor_loaded_; }
  size_t torExitCount() const { return tor_exits_.size(); }

 private:
  Enricher() = default;
  struct Db;
  std::unique_ptr<Db> geo_;
  std::unique_ptr<Db> asn_;
  // Addresses normalised through inet_pton/inet_ntop, so "::ffff:1.2.3.4" style and case
  // differences in IPv6 compare equal.
  std::unordered_set<std::string> tor_exits_;
  bool tor_loaded_ = false;
};

}  // namespace ht::detect
