// The file output (type file): JSON lines, the generic webhook's JSON, appended to a file or
// written to standard output.
#pragma once

#include <memory>

#include "alert/outputs/output.h"
#include "config/options.h"

namespace ht::alert {

// Renders webhookPayload as one line; delivery appends the stored body to options.path with
// O_APPEND (created 0600), or writes it to standard output for "-". Each line is written with one
// write() call. The file output takes no credentials.
std::unique_ptr<AlertOutput> makeFileOutput(const config::OutputOptions& options,
                                            OutputCredentials credentials = {});

}  // namespace ht::alert
