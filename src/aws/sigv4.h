// AWS Signature Version 4: the canonical request, string to sign and signature exactly as AWS
// specifies them, for Authorization headers and presigned URLs. Proven against the official
// aws-sig-v4-test-suite and the CRT signing suite (tests/unit/aws/sigv4_test.cpp).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/secret.h"
#include "core/status.h"
#include "net/http.h"
#include "net/url.h"

namespace ht::aws {

struct Credentials {
  std::string access_key_id;
  SecretString secret_access_key;
  std::string session_token;  // "" for long-term keys
  std::optional<TimePoint> expiration;
  bool empty() const { return access_key_id.empty(); }
};

struct SigningParams {
  std::string region;   // us-east-1
  std::string service;  // signing name: iam, sts, s3, ...
  TimePoint time{};
  // S3 signs the object key encoded once (the URL's path is decoded and encoded again, so "$" and
  // "%24" sign alike), with no dot-segment normalisation and no double encoding.
  bool s3_style_uri = false;
  // Sends x-amz-content-sha256 (S3 requires it); with unsigned_payload its value is
  // UNSIGNED-PAYLOAD.
  bool add_content_sha256_header = false;
  bool unsigned_payload = false;
  // Non-S3 only: remove dot segments and duplicate slashes before encoding (AWS's default; the
  // CRT suite's "normalize": false cases turn it off). S3 never normalises.
  bool normalize_path = true;
  // Attach X-Amz-Security-Token after signing instead of signing it (the suite's
  // post-sts-header-after; a few services want it so). Default: the token is signed.
  bool omit_session_token = false;
};

// Adds X-Amz-Date, X-Amz-Security-Token (with a session token), x-amz-content-sha256 when asked,
// and Authorization. A Host header is added from the URL when the request has none.
Status signRequest(net::HttpRequest* request, const Credentials& credentials,
                   const SigningParams& params);

// Returns the URL with X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
// [-Security-Token] and -Signature query parameters. Every header of the request (plus Host) is
// signed, so whoever uses the URL must send them. With s3_style_uri (or unsigned_payload) the
// payload is UNSIGNED-PAYLOAD, as S3 wants for presigned URLs; otherwise the body's hash is signed.
// expires must be 1 s to 7 days.
Result<std::string> presignUrl(const net::HttpRequest& request, const Credentials& credentials,
                               const SigningParams& params, std::chrono::seconds expires);

// The pieces, for tests and for debugging a signature mismatch (they hold no secret).
struct SigningDebug {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};
Result<SigningDebug> computeSignature(const net::HttpRequest& request, const Credentials& credentials,
                                      const SigningParams& params, bool presign,
                                      std::chrono::seconds expires = std::chrono::seconds(0));

using net::uriEncode;
std::string sha256Hex(std::string_view data);

}  // namespace ht::aws
