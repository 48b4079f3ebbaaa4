// Endpoints that echo what they were sent: the secret, the bearer token and the session token
// reach neither `run`'s log, nor `check`'s output, nor the dead letters. And an answer that is
// not the API's documented success commits nothing.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <string>

#include "support/loopback_server.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

constexpr const char* kClientSecret = "FILESECRET-Zq9!x";
constexpr const char* kAccessToken = "echoed-access-token-5f0c2b7e91d4";
constexpr const char* kSessionToken = "IQoJb3JpZ2luX2VjEchoedSessionToken+/x";
constexpr const char* kTenant = "3d6f7a21-0000-4000-8000-000000000001";
constexpr const char* kClient = "0e9c4d1a-0000-4000-8000-000000000002";

// One loopback server playing Entra ID and the Logs Ingestion API, each badly behaved in the way
// a test asks for.
struct Hostile {
  enum class Token { kEchoBody, kIssue };
  enum class Ingestion { kEcho400, kEcho401, kProxy200 };

  Hostile(Token token, Ingestion ingestion) {
    server.server().Post(".*/oauth2/v2.0/token", [token](const httplib::Request& request,
                                                         httplib::Response& response) {
      if (token == Token::kEchoBody) {
        response.status = 400;
        response.set_content(
            R"({"error":"invalid_client","error_description":"AADSTS7000215: invalid secret in )" +
                request.body + R"("})",
            "application/json");
        return;
      }
      response.set_content(std::string(R"({"token_type":"Bearer","expires_in":3600,)") +
                               R"("access_token":")" + kAccessToken + R"("})",
                           "application/json");
    });
    server.server().Post("/dataCollectionRules/.*", [this, ingestion](
                                                        const httplib::Request& request,
                                                        httplib::Response& response) {
      ++uploads;
      std::string echoed = "Authorization: " + request.get_header_value("Authorization");
      switch (ingestion) {
        case Ingestion::kEcho400:
          response.status = 400;
          response.set_content(
              R"({"error":{"code":"InvalidArgument","message":"bad rows; )" + echoed + R"("}})",
              "application/json");
          break;
        case Ingestion::kEcho401:
          response.status = 401;
          response.set_content(R"({"error":{"code":"InvalidToken","message":")" + echoed + R"("}})",
                               "application/json");
          break;
        case Ingestion::kProxy200:
          response.status = 200;
          response.set_content("<html>Welcome to the proxy</html>", "text/html");
          break;
      }
    });
    server.start();
  }

  std::string config(const test::TempDir& dir, const std::string& examples) const {
    std::string path = dir.file("gd2sentinel.toml");
    test::write_file(path, "[source.files]\npaths = [\"" + examples +
                               "\"]\n\n[sink.logs_ingestion]\nendpoint = \"" + server.url() +
                               "\"\ndcr_immutable_id = \"dcr-00000000000000000000000000000000\"\n"
                               "stream = \"Custom-AWSGuardDuty\"\n\n[azure]\n"
                               "auth = \"client_secret\"\ntenant_id = \"" +
                               kTenant + "\"\nclient_id = \"" + kClient +
                               "\"\nclient_secret = \"env:GD2S_TEST_HOSTILE_SECRET\"\n"
                               "authority_host = \"" +
                               server.url() + "\"\n\n[dead_letter]\npath = \"" +
                               dir.file("dead.jsonl") + "\"\n\n[state]\npath = \"" +
                               dir.file("state.db") + "\"\n");
    return path;
  }

  test::Loopback<> server;
  std::atomic<int> uploads{0};
};

std::string one_example(const test::TempDir& dir) {
  std::string path = dir.file("findings.jsonl");
  std::string text =
      test::read_file(test::source_dir() + "/examples/src/instance-port-probe-unprotected.json");
  std::string line;
  for (char c : text)
    if (c != '\n') line += c;
  test::write_file(path, line + "\n");
  return path;
}

class HostileEndpoints : public ::testing::Test {
 protected:
  void SetUp() override { setenv("GD2S_TEST_HOSTILE_SECRET", kClientSecret, 1); }
  void TearDown() override { unsetenv("GD2S_TEST_HOSTILE_SECRET"); }
};

TEST_F(HostileEndpoints, ATokenEndpointEchoingTheFormBodyShowsNoSecretInRunOrCheck) {
  Hostile hostile(Hostile::Token::kEchoBody, Hostile::Ingestion::kEcho400);
  test::TempDir dir;
  std::string config = hostile.config(dir, one_example(dir));
  auto run = test::run_binary({"run", "--config", config});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("AADSTS7000215"), std::string::npos) << run.err;
  auto check = test::run_binary({"check", "--config", config});
  EXPECT_NE(check.status, 0);
  EXPECT_NE(check.out.find("AADSTS7000215"), std::string::npos) << check.out;
  for (const std::string& text : {run.err, run.out, check.out, check.err}) {
    EXPECT_EQ(text.find("FILESECRET"), std::string::npos) << text;  // raw, or %21-encoded
    EXPECT_EQ(text.find("Zq9"), std::string::npos) << text;
  }
}

TEST_F(HostileEndpoints, AnIngestionErrorEchoingTheBearerTokenKeepsItOutOfLogsAndDeadLetters) {
  Hostile hostile(Hostile::Token::kIssue, Hostile::Ingestion::kEcho400);
  test::TempDir dir;
  auto run = test::run_binary({"run", "--config", hostile.config(dir, one_example(dir))});
  EXPECT_EQ(run.status, 0) << run.err;  // the refused record is dead-lettered, the unit settled
  std::string letters = test::read_file(dir.file("dead.jsonl"));
  EXPECT_NE(letters.find("InvalidArgument"), std::string::npos) << letters;
  EXPECT_NE(run.err.find("InvalidArgument"), std::string::npos) << run.err;
  for (const std::string& text : {run.err, run.out, letters})
    EXPECT_EQ(text.find(kAccessToken), std::string::npos) << text;
}

TEST_F(HostileEndpoints, AnUnauthorizedAnswerEchoingTheBearerTokenKeepsItOutOfTheLog) {
  Hostile hostile(Hostile::Token::kIssue, Hostile::Ingestion::kEcho401);
  test::TempDir dir;
  auto run = test::run_binary({"run", "--config", hostile.config(dir, one_example(dir))});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("InvalidToken"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(kAccessToken), std::string::npos) << run.err;
}

TEST_F(HostileEndpoints, AProxysTwoHundredIsNotTheApisSuccessAndCommitsNothing) {
  Hostile hostile(Hostile::Token::kIssue, Hostile::Ingestion::kProxy200);
  test::TempDir dir;
  std::string config = hostile.config(dir, one_example(dir));
  auto run = test::run_binary({"run", "--config", config});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("unexpected HTTP 200"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("answers 204 on success"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Welcome to the proxy"), std::string::npos) << "the body is quoted";
  // Not committed: the next run sends the same record again.
  int uploads = hostile.uploads.load();
  EXPECT_GE(uploads, 1);
  auto again = test::run_binary({"run", "--config", config});
  EXPECT_EQ(again.status, 1);
  EXPECT_GT(hostile.uploads.load(), uploads) << again.err;
}

TEST(HostileAwsEndpoints, AnS3ErrorEchoingTheSessionTokenShowsItNowhere) {
  test::Loopback<> server;
  server.server().Get(".*", [](const httplib::Request& request, httplib::Response& response) {
    response.status = 403;
    response.set_content("<Error><Code>AccessDenied</Code><Message>denied for token " +
                             request.get_header_value("X-Amz-Security-Token") +
                             "</Message></Error>",
                         "application/xml");
  });
  server.start();
  test::TempDir dir;
  std::string config = dir.file("gd2sentinel.toml");
  test::write_file(config,
                   "[source.s3_listing]\nbucket = \"export\"\nregion = \"us-east-1\"\n\n"
                   "[aws]\ns3_endpoint = \"" +
                       server.url() + "\"\n\n[sink.file]\npath = \"" + dir.file("out.jsonl") +
                       "\"\n\n[dead_letter]\npath = \"" + dir.file("dead.jsonl") +
                       "\"\n\n[state]\npath = \"" + dir.file("state.db") + "\"\n");
  setenv("AWS_ACCESS_KEY_ID", "AKIDHOSTILEEXAMPLE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "hostile-secret-access-key-0123", 1);
  setenv("AWS_SESSION_TOKEN", kSessionToken, 1);
  auto run = test::run_binary({"run", "--once", "--config", config});
  auto check = test::run_binary({"check", "--config", config});
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_SESSION_TOKEN");
  EXPECT_NE(run.err.find("AccessDenied"), std::string::npos) << run.err;
  EXPECT_NE(check.out.find("AccessDenied"), std::string::npos) << check.out;
  for (const std::string& text : {run.err, run.out, check.out, check.err}) {
    EXPECT_EQ(text.find("EchoedSessionToken"), std::string::npos) << text;
    EXPECT_EQ(text.find("hostile-secret-access-key"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace gd2s
