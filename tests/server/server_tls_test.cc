// TLS: the server serves TLS when given a certificate and a key, and refuses to serve plain text
// anywhere but on loopback.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "tests/server/server_fixture.h"

namespace clas::testing {
namespace {

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Tls : public ServerTest {
 public:
  void SetUp() override {
    ServerTest::SetUp();
    if (::testing::Test::HasFatalFailure()) return;
    cert_ = dir_ / "cert.pem";
    key_ = dir_ / "key.pem";
    const std::string make = absl::StrCat(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout ", key_.string(), " -out ",
        cert_.string(), " >/dev/null 2>&1");
    if (std::system(make.c_str()) != 0) GTEST_SKIP() << "the openssl command is not installed";
  }

 protected:
  std::filesystem::path cert_, key_;
};

TEST_F(Tls, ServesTlsWithACertificateAndKey) {
  server_.reset();
  config_.tls_cert_file = cert_.string();
  config_.tls_key_file = key_.string();
  Start();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadText(cert_);
  auto secure = grpc::CreateChannel(absl::StrCat("localhost:", server_->port()),
                                    grpc::SslCredentials(options));
  v1::GetConventionRequest request;
  request.set_caf_id(kCafA);
  request.set_convention_id("none");
  v1::GetConventionResponse response;
  // NOT_FOUND: the handshake, the token and the query all went through.
  EXPECT_EQ(v1::Queries::NewStub(secure)->GetConvention(As(Agent(kCafA)).get(), request,
                                                        &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // A plain-text client does not get through.
  auto plain = grpc::CreateChannel(absl::StrCat("localhost:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  auto context = As(Agent(kCafA));
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(v1::Queries::NewStub(plain)->GetConvention(context.get(), request, &response)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(Tls, PlainTextOffLoopbackAndHalfATlsPairAreRefused) {
  server_.reset();
  server::ServerConfig config = config_;
  config.listen = "0.0.0.0:0";
  auto open = server::LedgerServer::Start(config);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().code(), absl::StatusCode::kInvalidArgument);
  config.listen = "127.0.0.1:0";
  config.tls_cert_file = cert_.string();
  auto half = server::LedgerServer::Start(config);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.status().code(), absl::StatusCode::kInvalidArgument);
  Start();  // the fixture's teardown expects a server
}

}  // namespace
}  // namespace clas::testing
