// The credential chain against loopback responders: STS AssumeRole and AssumeRoleWithWebIdentity,
// the container endpoint, IMDSv2, shared files, credential_process and the chain's report.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <map>
#include <thread>

#include "aws/credential_providers.h"
#include "http/curl_client.h"
#include "support/loopback_server.h"
#include "support/test_support.h"

namespace gd2s::aws {
namespace {

using namespace std::chrono_literals;
using test::Loopback;

EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  };
}

std::string sts_xml(const std::string& action, const std::string& key, const std::string& expiry) {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
         "Result><Credentials><AccessKeyId>" + key +
         "</AccessKeyId><SecretAccessKey>sts-secret</SecretAccessKey><SessionToken>sts-token"
         "</SessionToken><Expiration>" +
         expiry + "</Expiration></Credentials></" + action + "Result></" + action + "Response>";
}

// An STS stand-in recording what it was asked.
struct FakeSts {
  Loopback<> lo;
  std::string last_body;
  std::string last_authorization;
  FakeSts() {
    lo.server().Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      last_body = req.body;
      last_authorization = req.get_header_value("Authorization");
      if (req.body.find("Action=AssumeRoleWithWebIdentity") != std::string::npos) {
        if (req.body.find("WebIdentityToken=echo") != std::string::npos) {
          res.status = 400;  // a hostile or broken endpoint: the request body comes back
          res.set_content("<ErrorResponse><Error><Code>InvalidParameterValue</Code><Message>" +
                              req.body + "</Message></Error></ErrorResponse>",
                          "text/xml");
          return;
        }
        if (req.body.find("WebIdentityToken=good-token") == std::string::npos) {
          res.status = 400;
          res.set_content(
              "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad token"
              "</Message></Error></ErrorResponse>",
              "text/xml");
          return;
        }
        res.set_content(sts_xml("AssumeRoleWithWebIdentity", "ASIAWEBID", "2099-01-01T00:00:00Z"),
                        "text/xml");
      } else if (req.body.find("ExternalId=wrong") != std::string::npos) {
        res.status = 403;
        res.set_content(
            "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not allowed</Message>"
            "</Error></ErrorResponse>",
            "text/xml");
      } else {
        res.set_content(sts_xml("AssumeRole", "ASIAROLE", "2099-01-01T00:00:00Z"), "text/xml");
      }
    });
    lo.start();
  }
};

TEST(EnvironmentCredentials, ReadsKeysAndToken) {
  auto p = make_environment_provider(env_of({{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                                             {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                                             {"AWS_SESSION_TOKEN", "env-token"}}));
  AwsCredentials c = p->credentials();
  EXPECT_EQ(c.access_key_id, "AKIAENV");
  EXPECT_EQ(c.secret_access_key.reveal(), "env-secret");
  EXPECT_EQ(c.session_token.reveal(), "env-token");
  EXPECT_THROW(make_environment_provider(env_of({}))->credentials(), CredentialsUnavailable);
  try {
    make_environment_provider(env_of({{"AWS_ACCESS_KEY_ID", "AKIAENV"}}))->credentials();
    FAIL();
  } catch (const CredentialsUnavailable&) {
    FAIL() << "half-set keys are a failure, not an absence";
  } catch (const CredentialsError& e) {
    EXPECT_STREQ(e.what(), "AWS_SECRET_ACCESS_KEY is not set, but the other one is");
  }
}

struct Files {
  test::TempDir dir;
  std::map<std::string, std::string> env;
  Files(const std::string& credentials, const std::string& config) {
    test::write_file(dir.file("credentials"), credentials);
    test::write_file(dir.file("config"), config);
    env = {{"AWS_SHARED_CREDENTIALS_FILE", dir.file("credentials")},
           {"AWS_CONFIG_FILE", dir.file("config")}};
  }
};

TEST(ProfileCredentials, ReadsStaticKeysOfTheChosenProfile) {
  Files files(
      "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d-secret\n"
      "[ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = o-secret\n",
      "[profile other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n");
  auto http = http::make_curl_client({});
  ChainOptions options;
  options.env = env_of(files.env);
  EXPECT_EQ(make_profile_provider(options, http)->credentials().access_key_id, "AKIADEFAULT");
  options.profile = "ops";
  EXPECT_EQ(make_profile_provider(options, http)->credentials().access_key_id, "AKIAOPS");
  options.profile = "other";
  EXPECT_EQ(make_profile_provider(options, http)->credentials().access_key_id, "AKIAOTHER");
  auto env = files.env;
  env["AWS_PROFILE"] = "ops";
  options.profile.clear();
  options.env = env_of(env);
  EXPECT_EQ(make_profile_provider(options, http)->credentials().access_key_id, "AKIAOPS");
}

TEST(ProfileCredentials, AssumesARoleFromASourceProfileWithAnExternalId) {
  FakeSts sts;
  Files files("[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b-secret\n",
              "[profile reader]\nrole_arn = arn:aws:iam::111122223333:role/reader\n"
              "source_profile = base\nexternal_id = ext-123\nregion = eu-west-1\n");
  ChainOptions options;
  options.env = env_of(files.env);
  options.profile = "reader";
  options.endpoints.sts = sts.lo.url();
  AwsCredentials c = make_profile_provider(options, http::make_curl_client({}))->credentials();
  EXPECT_EQ(c.access_key_id, "ASIAROLE");
  EXPECT_EQ(c.session_token.reveal(), "sts-token");
  ASSERT_TRUE(c.expiration);
  EXPECT_NE(sts.last_body.find("RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Freader"),
            std::string::npos);
  EXPECT_NE(sts.last_body.find("ExternalId=ext-123"), std::string::npos);
  EXPECT_NE(sts.last_authorization.find("Credential=AKIABASE/"), std::string::npos)
      << "AssumeRole is signed with the source profile's keys";
  EXPECT_NE(sts.last_authorization.find("/eu-west-1/sts/aws4_request"), std::string::npos);
}

TEST(ProfileCredentials, RunsCredentialProcessWithoutAShell) {
  test::TempDir dir;
  std::string script = dir.file("creds.sh");
  test::write_file(
      script,
      "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", "
      "\"SecretAccessKey\": \"p-secret\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n");
  chmod(script.c_str(), 0700);
  Files files("", "[default]\ncredential_process = " + script + " --flag \"two words\"\n");
  ChainOptions options;
  options.env = env_of(files.env);
  AwsCredentials c = make_profile_provider(options, http::make_curl_client({}))->credentials();
  EXPECT_EQ(c.access_key_id, "AKIAPROC");
  EXPECT_EQ(c.secret_access_key.reveal(), "p-secret");

  test::write_file(script, "#!/bin/sh\necho 'oops, p-secret-leak' >&2\nexit 3\n");
  try {
    make_profile_provider(options, http::make_curl_client({}))->credentials();
    FAIL();
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("exited with status 3"), std::string::npos) << e.what();
  }
}

TEST(WebIdentityCredentials, ExchangesTheTokenFileReadAfreshEachTime) {
  FakeSts sts;
  test::TempDir dir;
  test::write_file(dir.file("token"), "good-token\n");
  ChainOptions options;
  options.env = env_of({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.file("token")},
                        {"AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/irsa"}});
  options.endpoints.sts = sts.lo.url();
  auto provider = make_web_identity_provider(options, http::make_curl_client({}));
  EXPECT_EQ(provider->credentials().access_key_id, "ASIAWEBID");
  EXPECT_TRUE(sts.last_authorization.empty()) << "AssumeRoleWithWebIdentity is not signed";
  test::write_file(dir.file("token"), "rotated-bad-token\n");
  try {
    provider->credentials();
    FAIL();
  } catch (const CredentialsError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("InvalidIdentityToken"), std::string::npos) << what;
    EXPECT_EQ(what.find("rotated-bad-token"), std::string::npos)
        << "the token never appears in errors";
  }
  ChainOptions unset;
  unset.env = env_of({});
  EXPECT_THROW(make_web_identity_provider(unset, http::make_curl_client({}))->credentials(),
               CredentialsUnavailable);
}

TEST(WebIdentityCredentials, AnStsErrorEchoingTheTokenShowsItNowhere) {
  FakeSts sts;
  test::TempDir dir;
  test::write_file(dir.file("token"), "echo-token-Zq9!x/+=\n");
  ChainOptions options;
  options.env = env_of({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.file("token")},
                        {"AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/irsa"}});
  options.endpoints.sts = sts.lo.url();
  try {
    make_web_identity_provider(options, http::make_curl_client({}))->credentials();
    FAIL() << "STS refused the token";
  } catch (const CredentialsError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("InvalidParameterValue"), std::string::npos) << what;
    EXPECT_EQ(what.find("echo-token"), std::string::npos) << "raw or form-encoded: " << what;
    EXPECT_NE(what.find("(redacted)"), std::string::npos) << what;
  }
}

TEST(ContainerCredentials, UsesTheFullUriWithTheAuthorizationTokenFile) {
  Loopback<> lo;
  lo.server().Get("/creds", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "pod-token") {
      res.status = 401;
      return;
    }
    res.set_content(
        R"({"AccessKeyId":"ASIACONT","SecretAccessKey":"c-secret","Token":"c-token","Expiration":"2099-01-01T00:00:00Z"})",
        "application/json");
  });
  lo.start();
  test::TempDir dir;
  test::write_file(dir.file("token"), "pod-token\n");
  auto provider = make_container_provider(
      env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", lo.url() + "/creds"},
              {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir.file("token")}}),
      http::make_curl_client({}));
  EXPECT_EQ(provider->credentials().access_key_id, "ASIACONT");
  auto refused = make_container_provider(
      env_of({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}}),
      http::make_curl_client({}));
  EXPECT_THROW(refused->credentials(), CredentialsError);
  EXPECT_THROW(make_container_provider(env_of({}), http::make_curl_client({}))->credentials(),
               CredentialsUnavailable);
}

TEST(ImdsCredentials, FollowsTheImdsV2TokenFlow) {
  Loopback<> lo;
  std::atomic<int> token_requests{0};
  lo.server().Put("/latest/api/token", [&](const httplib::Request& req, httplib::Response& res) {
    ++token_requests;
    if (req.get_header_value("x-aws-ec2-metadata-token-ttl-seconds").empty()) {
      res.status = 400;
      return;
    }
    res.set_content("imds-session", "text/plain");
  });
  auto needs_token = [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("x-aws-ec2-metadata-token") != "imds-session") {
      res.status = 401;
      return false;
    }
    return true;
  };
  lo.server().Get("/latest/meta-data/iam/security-credentials/",
                  [&](const httplib::Request& req, httplib::Response& res) {
                    if (needs_token(req, res)) res.set_content("web-role", "text/plain");
                  });
  lo.server().Get("/latest/meta-data/iam/security-credentials/web-role", [&](const httplib::Request&
                                                                                 req,
                                                                             httplib::Response&
                                                                                 res) {
    if (needs_token(req, res))
      res.set_content(
          R"({"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"i-secret","Token":"i-token","Expiration":"2099-01-01T00:00:00Z"})",
          "application/json");
  });
  lo.start();
  auto provider = make_imds_provider(env_of({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", lo.url()}}),
                                     http::make_curl_client({}));
  AwsCredentials c = provider->credentials();
  EXPECT_EQ(c.access_key_id, "ASIAIMDS");
  EXPECT_EQ(c.session_token.reveal(), "i-token");
  EXPECT_EQ(token_requests.load(), 1);
  EXPECT_THROW(make_imds_provider(env_of({{"AWS_EC2_METADATA_DISABLED", "true"}}),
                                  http::make_curl_client({}))
                   ->credentials(),
               CredentialsUnavailable);
}

TEST(CredentialChain, SaysWhatItTriedWhenNothingWorks) {
  ChainOptions options;
  test::TempDir dir;
  options.env = env_of(
      {{"HOME", dir.path().string()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9"}});
  try {
    make_default_chain(options, http::make_curl_client({}))->credentials();
    FAIL();
  } catch (const CredentialsError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("no AWS credentials found; tried:\n", 0), 0u) << what;
    for (
        const char* name :
        {"  - environment: skipped, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
         "  - profile default: skipped, no shared credentials or config file",
         "  - web identity: skipped, AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set",
         "  - container: skipped, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set",
         "  - instance metadata (IMDSv2): skipped, no instance metadata service"})
      EXPECT_NE(what.find(name), std::string::npos) << name << "\n" << what;
  }
}

TEST(CredentialChain, AssumesTheConfiguredRoleOnTopOfTheChain) {
  FakeSts sts;
  ChainOptions options;
  options.env = env_of({{"AWS_ACCESS_KEY_ID", "AKIAENV"},
                        {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                        {"HOME", "/nonexistent"}});
  options.role_arn = "arn:aws:iam::111122223333:role/gd2sentinel";
  options.external_id = "wrong";
  options.region = "eu-west-1";
  options.endpoints.sts = sts.lo.url();
  try {
    make_default_chain(options, http::make_curl_client({}))->credentials();
    FAIL();
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("AccessDenied"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("trust policy"), std::string::npos) << e.what();
  }
  options.external_id = "right";
  EXPECT_EQ(make_default_chain(options, http::make_curl_client({}))->credentials().access_key_id,
            "ASIAROLE");
}

}  // namespace
}  // namespace gd2s::aws
