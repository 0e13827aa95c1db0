// The email output (type email): an RFC 5322 message sent over SMTP with libcurl, never in clear
// text.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alert/outputs/output.h"
#include "config/options.h"

namespace ht::alert {

// Email (RFC 5322): headers (From, To, Subject, Date, Message-ID from the incident ID,
// MIME-Version, Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding 8bit) and a
// plain-text body with CRLF line ends. Header values are single lines (no injection).
std::string emailMessage(const Story& story, const std::string& from,
                         const std::vector<std::string>& to, TimePoint now);

// Renders emailMessage from email_from to email_to, dated now; the stored body is the whole
// message and the envelope is email_from / email_to. Delivery: smtp:// requires STARTTLS
// (CURLUSESSL_ALL), smtps:// is implicit TLS; login with username and credentials.secret when
// username is set; ca_file for an internal CA. SMTP 4xx and connection failures are retried;
// 5xx rejections are permanent.
std::unique_ptr<AlertOutput> makeEmailOutput(const config::OutputOptions& options,
                                             OutputCredentials credentials);

}  // namespace ht::alert
