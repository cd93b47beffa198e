// HTTPS announces against an in-process TLS tracker whose self-signed certificate is made at
// test time with OpenSSL and trusted through TrackerClientOptions::ca_file.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "tracker/tracker_client.hpp"
#include "tracker_test_servers.hpp"

namespace tessera::tracker {
namespace {

using namespace std::chrono_literals;
using namespace testing;
using Result = expected<AnnounceResult, std::string>;

struct Pem {
  std::string cert, key;
};

std::string drain(BIO* bio) {
  std::string out(BIO_ctrl_pending(bio), '\0');
  const int n = BIO_read(bio, out.data(), static_cast<int>(out.size()));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

void add_ext(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A self-signed P-256 certificate for `subject_alt_name` ("IP:127.0.0.1", "DNS:...").
Pem make_certificate(const char* subject_alt_name) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), std::random_device{}() & 0x7fffffff);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Tessera test tracker"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  add_ext(cert, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert, NID_subject_alt_name, subject_alt_name);
  X509_sign(cert, key, EVP_sha256());
  Pem pem;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  pem.cert = drain(bio);
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  pem.key = drain(bio);
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return pem;
}

struct TrackerClientHttps : ::testing::Test {
  asio::io_context io;
  asio::ssl::context server_tls{asio::ssl::context::tls_server};
  std::filesystem::path ca_file;

  void serve_with(const Pem& pem) {
    server_tls.use_certificate_chain(asio::buffer(pem.cert));
    server_tls.use_private_key(asio::buffer(pem.key), asio::ssl::context::pem);
  }
  void trust(const Pem& pem) {
    ca_file = std::filesystem::temp_directory_path() /
              ("tessera-test-ca-" + std::to_string(std::random_device{}()) + ".pem");
    std::ofstream(ca_file) << pem.cert;
  }
  void TearDown() override {
    if (!ca_file.empty()) std::filesystem::remove(ca_file);
  }
  Result announce(const TrackerClientOptions& o, const std::string& url) {
    TrackerClient client(io, o);
    std::optional<Result> out;
    AnnounceParams p;
    p.port = 1;
    client.announce(url, p, [&](Result r) { out = std::move(r); });
    run_until(io, [&] { return out.has_value(); });
    return out ? *out : Result(unexpected(std::string("handler never called")));
  }
};

const std::string kBody = "d8:intervali900e5:peers6:" + std::string("\x7f\x00\x00\x01\x1a\xe1", 6) + "e";

TEST_F(TrackerClientHttps, TrustedSelfSignedCertificate) {
  const Pem pem = make_certificate("IP:127.0.0.1");
  serve_with(pem);
  trust(pem);
  HttpsServer server(
      io, [](const std::string&) { return http_response(200, kBody); }, &server_tls);
  TrackerClientOptions o;
  o.http_timeout = 60s;  // a safety net only: every answer here comes at once
  o.ca_file = ca_file.string();
  const auto r = announce(o, "https://127.0.0.1:" + std::to_string(server.port()) + "/announce");
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->peers.size(), 1u);
  ASSERT_EQ(server.requests.size(), 1u);
  EXPECT_TRUE(server.requests[0].starts_with("GET /announce?info_hash=")) << server.requests[0];
}

TEST_F(TrackerClientHttps, UntrustedCertificateFailsVerification) {
  const Pem pem = make_certificate("IP:127.0.0.1");
  serve_with(pem);
  HttpsServer server(
      io, [](const std::string&) { return http_response(200, kBody); }, &server_tls);
  TrackerClientOptions o;
  o.http_timeout = 60s;  // a safety net only: every answer here comes at once
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/announce";
  const auto r = announce(o, url);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().starts_with("tracker " + url + ": TLS handshake failed: certificate verify failed"))
      << r.error();
  EXPECT_TRUE(server.requests.empty());  // nothing was sent to an unverified server
}

TEST_F(TrackerClientHttps, CertificateForAnotherNameFailsVerification) {
  const Pem pem = make_certificate("DNS:tracker.example");
  serve_with(pem);
  trust(pem);
  HttpsServer server(
      io, [](const std::string&) { return http_response(200, kBody); }, &server_tls);
  TrackerClientOptions o;
  o.http_timeout = 60s;  // a safety net only: every answer here comes at once
  o.ca_file = ca_file.string();
  const auto r = announce(o, "https://127.0.0.1:" + std::to_string(server.port()) + "/announce");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("certificate verify failed"), std::string::npos) << r.error();
  EXPECT_TRUE(server.requests.empty());
}

// A private tracker's URL carries a passkey: following an HTTPS tracker down to plain HTTP would
// send it in the clear, so such a redirect is refused and the plain server never hears of it.
TEST_F(TrackerClientHttps, RedirectFromHttpsToPlainHttpIsRefused) {
  const Pem pem = make_certificate("IP:127.0.0.1");
  serve_with(pem);
  trust(pem);
  HttpServer plain(io, [](const std::string&) { return http_response(200, kBody); });
  const std::string plain_url = "http://127.0.0.1:" + std::to_string(plain.port()) + "/announce?passkey=secret";
  HttpsServer server(
      io, [&](const std::string&) { return http_response(302, "", "Location: " + plain_url + "\r\n"); },
      &server_tls);
  TrackerClientOptions o;
  o.http_timeout = 60s;  // a safety net only: every answer here comes at once
  o.ca_file = ca_file.string();
  const std::string shown = "https://127.0.0.1:" + std::to_string(server.port()) + "/announce";
  const auto r = announce(o, shown + "?passkey=secret");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "tracker " + shown + ": redirected from HTTPS to HTTP: refused");
  EXPECT_EQ(server.requests.size(), 1u);
  EXPECT_TRUE(plain.requests.empty());
}

TEST_F(TrackerClientHttps, RedirectThatStaysOnHttpsIsFollowed) {
  const Pem pem = make_certificate("IP:127.0.0.1");
  serve_with(pem);
  trust(pem);
  HttpsServer server(
      io,
      [](const std::string& head) {
        if (head.starts_with("GET /moved ")) return http_response(200, kBody);
        return http_response(301, "", "Location: /moved\r\n");
      },
      &server_tls);
  TrackerClientOptions o;
  o.http_timeout = 60s;  // a safety net only: every answer here comes at once
  o.ca_file = ca_file.string();
  const auto r = announce(o, "https://127.0.0.1:" + std::to_string(server.port()) + "/announce");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->peers.size(), 1u);
  EXPECT_EQ(server.requests.size(), 2u);
}

TEST_F(TrackerClientHttps, MissingCaFileIsAClearError) {
  TrackerClientOptions o;
  o.ca_file = "/nonexistent/tessera-ca.pem";
  const auto r = announce(o, "https://127.0.0.1:1/announce");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("cannot load CA file /nonexistent/tessera-ca.pem"), std::string::npos)
      << r.error();
}

}  // namespace
}  // namespace tessera::tracker
