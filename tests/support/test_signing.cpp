#include "support/test_signing.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <ctime>

namespace ht::test {

EVP_PKEY* testRsaKey() {
  static EVP_PKEY* const key = EVP_RSA_gen(2048);  // thread-safe static initialisation
  return key;
}

std::string selfSignedCertPem(TimePoint not_before, TimePoint not_after,
                              const std::string& common_name) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 42);
  ASN1_TIME_set(X509_getm_notBefore(x), static_cast<time_t>(toUnixSeconds(not_before)));
  ASN1_TIME_set(X509_getm_notAfter(x), static_cast<time_t>(toUnixSeconds(not_after)));
  X509_set_pubkey(x, testRsaKey());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(x, name);
  X509_sign(x, testRsaKey(), EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  X509_free(x);
  return pem;
}

std::string signBase64(const std::string& data, const EVP_MD* md) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, md, nullptr, testRsaKey());
  size_t len = 0;
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(data.data()), data.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  std::string b64(4 * ((sig.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                          reinterpret_cast<const unsigned char*>(sig.data()),
                          static_cast<int>(sig.size()));
  b64.resize(static_cast<size_t>(n));
  return b64;
}

}  // namespace ht::test
