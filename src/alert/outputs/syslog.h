// The syslog output (type syslog): one RFC 5424 line per notification, over UDP, TCP with RFC
// 6587 octet counting, or a local datagram socket such as /dev/log.
#pragma once

#include <memory>
#include <string>

#include "alert/outputs/output.h"
#include "config/options.h"

namespace ht::alert {

// One syslog line (RFC 5424 structured: "<PRI>1 TIMESTAMP HOST honeytrail - incident
// [honeytrail@32473 incident="..." key="..."] headline"), without newlines.
std::string syslogLine(const Story& story, const std::string& hostname, TimePoint now);

// Renders syslogLine for the hostname and time given; delivery sends the stored line to
// options.url: udp://host:port (one datagram), tcp://host:port (RFC 6587 octet counting) or
// unix:///dev/log (datagram socket). Syslog takes no credentials.
std::unique_ptr<AlertOutput> makeSyslogOutput(const config::OutputOptions& options,
                                              OutputCredentials credentials = {});

}  // namespace ht::alert
