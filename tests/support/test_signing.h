// A self-made signing identity for tests: one RSA key per process, self-signed certificates for
// it, and base64 signatures made with it (what no real AWS-signed fixture can cover).
#pragma once

#include <openssl/evp.h>

#include <string>

#include "core/clock.h"

namespace ht::test {

// A 2048-bit RSA key, generated once per process (RSA key generation is slow) and never freed.
EVP_PKEY* testRsaKey();

// A PEM certificate for testRsaKey(), self-signed with SHA-256, with subject and issuer
// CN=common_name and the given validity period.
std::string selfSignedCertPem(TimePoint not_before, TimePoint not_after,
                              const std::string& common_name);

// The signature of `data` by testRsaKey() with digest `md` (PKCS#1 v1.5), base64-encoded.
std::string signBase64(const std::string& data, const EVP_MD* md);

}  // namespace ht::test
